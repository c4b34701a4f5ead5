/**
 * Tables and indexes declared as data (src/store/migrations/ddl.ts) are exactly what the same
 * schema builder calls make, on both stores; a declaration the builder cannot read is refused
 * before anything is created.
 */
import path from 'node:path';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeSchema } from '../../src/store/migrations/ddl.ts';
import { openPostgres } from '../../src/store/postgres.ts';
import { openSqlite } from '../../src/store/sqlite.ts';
import type { Db, Store } from '../../src/store/store.ts';
import { createTestDatabase, STORES, type TestDatabase } from '../support/stores.ts';

/** How the database itself states a table and its indexes, with the given names made generic. */
async function definitionOf(store: Store, table: string, names: readonly string[]): Promise<string[]> {
  const generic = (text: string) => names.reduce((t, name) => t.replaceAll(name, '<name>'), text);
  if (store.caps.name === 'sqlite') {
    const { rows } = await sql<{ sql: string | null }>`select sql from sqlite_master
      where tbl_name = ${table} order by type desc, name`.execute(store.db);
    return rows.map((r) => generic(r.sql ?? ''));
  }
  const columns = await sql<Record<string, string | null>>`
    select column_name, data_type, is_nullable, column_default from information_schema.columns
    where table_name = ${table} order by ordinal_position`.execute(store.db);
  const constraints = await sql<{ def: string }>`select pg_get_constraintdef(oid) as def from pg_constraint
    where conrelid = ${table}::regclass order by 1`.execute(store.db);
  const indexes = await sql<{ indexdef: string }>`select indexdef from pg_indexes
    where tablename = ${table} order by indexname`.execute(store.db);
  return [
    ...columns.rows.map((r) => generic(JSON.stringify(r))),
    ...constraints.rows.map((r) => generic(r.def)),
    ...indexes.rows.map((r) => generic(r.indexdef)),
  ];
}

async function tableNames(db: Db): Promise<string[]> {
  return (await db.introspection.getTables()).map((t) => t.name).sort();
}

for (const kind of STORES) {
  describe(`${kind}: schema declarations`, () => {
    let database: TestDatabase;
    let store: Store;
    // Migrations see the database untyped, as the Migrator gives it.
    const untyped = () => store.db as unknown as Kysely<unknown>;

    beforeAll(async () => {
      database = await createTestDatabase(kind);
      store = database.databaseUrl
        ? openPostgres(database.databaseUrl, 2)
        : openSqlite(path.join(database.dataDir, 'ddl.db'));
      await store.db.schema
        .createTable('owners')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .execute();
    });

    afterAll(async () => {
      await store.close();
      await database.drop();
    });

    it('makes the very table and indexes the builder calls make', async () => {
      const s = store.db.schema;
      await s
        .createTable('built')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('code', 'text', (c) => c.notNull().unique())
        .addColumn('owner_id', 'text', (c) => c.notNull().references('owners.id'))
        .addColumn('note', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('quoted', 'text', (c) => c.defaultTo("it's"))
        .addColumn('tries', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('amount', 'double precision')
        .addColumn('at', 'bigint')
        .execute();
      await s.createIndex('built_owner').on('built').columns(['owner_id', 'at']).execute();
      await s
        .createIndex('built_open')
        .on('built')
        .column('at')
        .where(sql<boolean>`at is not null`)
        .execute();
      await s
        .createTable('built_pairs')
        .addColumn('a', 'text', (c) => c.notNull())
        .addColumn('b', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('built_pairs_pk', ['a', 'b'])
        .execute();

      await changeSchema(untyped(), {
        tables: {
          declared: {
            id: 'text primary key',
            code: 'text not null unique',
            owner_id: 'text not null references owners.id',
            note: "text not null default ''",
            quoted: "text default 'it''s'",
            tries: 'integer not null default 0',
            amount: 'double precision',
            at: 'bigint',
          },
          declared_pairs: { a: 'text not null', b: 'bigint not null' },
        },
        primaryKeys: { declared_pairs: ['a', 'b'] },
        indexes: {
          declared_owner: 'declared (owner_id, at)',
          declared_open: 'declared (at) where at is not null',
        },
      });

      const names = ['declared', 'built'];
      expect(await definitionOf(store, 'declared', names)).toEqual(await definitionOf(store, 'built', names));
      expect(await definitionOf(store, 'declared_pairs', names)).toEqual(
        await definitionOf(store, 'built_pairs', names),
      );
      expect((await definitionOf(store, 'declared', names)).join('\n')).toContain('<name>_open');
    });

    it('adds columns as declared', async () => {
      await store.db.schema
        .createTable('grown')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .execute();
      await changeSchema(untyped(), {
        addColumns: { grown: { tries: 'integer not null default 0', at: 'bigint' } },
      });
      const grown = (await store.db.introspection.getTables()).find((t) => t.name === 'grown');
      const added = grown?.columns.filter((c) => c.name !== 'id');
      expect(added?.map((c) => [c.name, c.isNullable, c.hasDefaultValue])).toEqual([
        ['tries', false, true],
        ['at', true, false],
      ]);
    });

    it('refuses a declaration it cannot read, creating nothing', async () => {
      const before = await tableNames(store.db);
      await expect(
        changeSchema(untyped(), { tables: { misspelt: { id: 'text primary kye' } } }),
      ).rejects.toThrow(/unknown type or modifier/);
      await expect(changeSchema(untyped(), { tables: { untyped: { id: 'not null' } } })).rejects.toThrow(
        /unknown type or modifier/,
      );
      await expect(changeSchema(untyped(), { indexes: { loose: 'owners id' } })).rejects.toThrow(
        /is not "<table> \(<columns>\)"/,
      );
      expect(await tableNames(store.db)).toEqual(before);
    });
  });
}
