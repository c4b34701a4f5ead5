/**
 * Tables and indexes declared as data: one builder turns a declaration into Kysely's schema
 * calls, so every migration states only what its tables hold.
 */
import {
  type ColumnDataType,
  type ColumnDefinitionBuilder,
  type CreateTableBuilder,
  type Kysely,
  sql,
} from 'kysely';

type Db = Kysely<unknown>;

/**
 * A column as SQL states it after the name: its type, then any of `primary key`,
 * `autoincrement`, `not null`, `unique`, `default <number or 'text'>` and `references <table>.<column>`,
 * e.g. `'text not null references employees.id'`.
 */
export type ColumnSpec = string;

/** A table's columns: name → declaration, in table order. */
export type Columns = Readonly<Record<string, ColumnSpec>>;

/**
 * An index as SQL states it after its name: `<table> (<column>, …)`, then for a partial index
 * `where <condition>`, e.g. `'timers (due_at, key) where parked_at is null'`.
 */
export type IndexSpec = string;

/** A default as written in a declaration: a number, or text in single quotes. */
function literal(value: string): number | string {
  return value.startsWith("'") ? value.slice(1, -1).replaceAll("''", "'") : Number(value);
}

const MODIFIERS: readonly [RegExp, (c: ColumnDefinitionBuilder, arg: string) => ColumnDefinitionBuilder][] = [
  [/ primary key\b/, (c) => c.primaryKey()],
  [/ autoincrement\b/, (c) => c.autoIncrement()],
  [/ not null\b/, (c) => c.notNull()],
  [/ unique\b/, (c) => c.unique()],
  [/ default ('(?:[^']|'')*'|-?\d+(?:\.\d+)?)(?= |$)/, (c, value) => c.defaultTo(literal(value))],
  [/ references (\w+\.\w+)\b/, (c, target) => c.references(target)],
];

/** Splits a column declaration into its type and the modifiers that follow it. */
function parseColumn(spec: ColumnSpec): {
  type: ColumnDataType;
  modify: (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;
} {
  let rest = ` ${spec}`;
  const steps: ((c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder)[] = [];
  for (const [pattern, apply] of MODIFIERS) {
    const match = pattern.exec(rest);
    if (!match) continue;
    steps.push((c) => apply(c, match[1] ?? ''));
    rest = rest.replace(pattern, '');
  }
  const type = rest.trim();
  if (!/^(text|integer|bigint|bigserial|double precision)$/.test(type)) {
    throw new Error(`column declaration "${spec}": unknown type or modifier in "${type}"`);
  }
  return { type: type as ColumnDataType, modify: (c) => steps.reduce((b, step) => step(b), c) };
}

/** A change of the schema as data, applied in this order. */
export interface SchemaChange {
  readonly dropIndexes?: readonly string[];
  /** Table → the columns added to it, one statement each. */
  readonly addColumns?: Readonly<Record<string, Columns>>;
  /** The tables created, in order. */
  readonly tables?: Readonly<Record<string, Columns>>;
  /** Table → its composite primary key, the constraint named `<table>_pk`. */
  readonly primaryKeys?: Readonly<Record<string, readonly string[]>>;
  /** The indexes created (name → declaration), in order. */
  readonly indexes?: Readonly<Record<string, IndexSpec>>;
}

/** Applies a schema change. */
export async function changeSchema(db: Db, change: SchemaChange): Promise<void> {
  for (const name of change.dropIndexes ?? []) await db.schema.dropIndex(name).execute();
  for (const [table, columns] of Object.entries(change.addColumns ?? {})) {
    for (const [column, spec] of Object.entries(columns)) {
      const { type, modify } = parseColumn(spec);
      await db.schema.alterTable(table).addColumn(column, type, modify).execute();
    }
  }
  for (const [name, columns] of Object.entries(change.tables ?? {})) {
    let create: CreateTableBuilder<string, string> = db.schema.createTable(name);
    for (const [column, spec] of Object.entries(columns)) {
      const { type, modify } = parseColumn(spec);
      create = create.addColumn(column, type, modify);
    }
    const key = change.primaryKeys?.[name];
    await (key ? create.addPrimaryKeyConstraint(`${name}_pk`, [...key]) : create).execute();
  }
  for (const [name, spec] of Object.entries(change.indexes ?? {})) {
    const match = /^(\w+) \(([\w, ]+)\)(?: where (.+))?$/s.exec(spec);
    if (!match?.[1] || !match[2]) throw new Error(`index declaration "${spec}" is not "<table> (<columns>)"`);
    const index = db.schema
      .createIndex(name)
      .on(match[1])
      .columns(match[2].split(',').map((c) => c.trim()));
    await (match[3] === undefined ? index : index.where(sql.raw<boolean>(match[3]))).execute();
  }
}

/** A migration's `up` that applies the change. */
export function schemaChange(change: SchemaChange): (db: Db) => Promise<void> {
  return (db) => changeSchema(db, change);
}
