/** Process definitions: drafts (saved even while invalid), validation, and publishing versions. */

import { type Actor, type EngineContext, requireAdmin } from '../context.ts';
import { isoTime } from '../domain/clock.ts';
import type { DefinitionBody, ValidationResult } from '../domain/definition/types.ts';
import { type SpawnTarget, validateDefinition } from '../domain/definition/validate.ts';
import { DomainError, notFound } from '../domain/errors.ts';
import { limitsOf } from '../engine/limits.ts';
import { decodeIdCursor, idPageOf } from '../store/cursor.ts';
import {
  type DefinitionRow,
  findDefinition,
  findVersion,
  findVersionBody,
  insertDefinition,
  insertVersion,
  listDefinitionRows,
  listVersions,
  publishedBodies,
  updateDefinitionRow,
} from '../store/definitions.ts';
import { activeEmployeeIds } from '../store/employees.ts';
import type { Db } from '../store/store.ts';

export interface DefinitionInput {
  readonly name?: string | undefined;
  readonly description?: string | undefined;
  readonly stages: DefinitionBody['stages'];
  readonly transitions: DefinitionBody['transitions'];
}

/** Most ids bound in one `in (…)` list: SQLite allows 32 766 parameters a statement, PostgreSQL 65 535. */
const IN_LIST_MAX = 1000;

/** Loads what validation needs: employees, and every definition a spawn chain can reach. */
async function validationContext(ctx: EngineContext, db: Db, body: DefinitionBody, selfId?: string) {
  const employees = new Set((await activeEmployeeIds(db)).map((e) => e.id));
  const targets = new Map<string, SpawnTarget>();
  let frontier = [...new Set(body.stages.flatMap((s) => (Array.isArray(s.spawn) ? s.spawn : [])))].filter(
    (id) => typeof id === 'string' && id !== selfId,
  );
  while (frontier.length > 0) {
    const rows = [];
    // A draft may name up to 100 000 definitions; one `in (…)` list holds far fewer parameters.
    for (let i = 0; i < frontier.length; i += IN_LIST_MAX) {
      rows.push(...(await publishedBodies(db, frontier.slice(i, i + IN_LIST_MAX))));
    }
    const next: string[] = [];
    for (const row of rows) {
      const published = row.version > 0 && row.body !== null;
      const startSpawns = published
        ? ((JSON.parse(row.body as string) as DefinitionBody).stages.find((s) => s.kind === 'start')?.spawn ??
          [])
        : [];
      targets.set(row.id, { status: published ? 'published' : 'draft', startSpawns });
      for (const id of startSpawns) if (!targets.has(id) && id !== selfId) next.push(id);
    }
    frontier = [...new Set(next)];
  }
  return {
    selfId,
    spawnLimits: limitsOf(ctx).spawn,
    employeeExists: (id: string) => employees.has(id),
    definition: (id: string) => targets.get(id),
  };
}

export async function validateDraft(
  ctx: EngineContext,
  body: DefinitionBody,
  selfId?: string,
): Promise<ValidationResult> {
  return validateDefinition(body, await validationContext(ctx, ctx.store.db, body, selfId));
}

function bodyOf(input: DefinitionInput): DefinitionBody {
  return { stages: input.stages, transitions: input.transitions };
}

async function view(db: Db, row: DefinitionRow, validation?: ValidationResult) {
  const body = JSON.parse(row.draft) as DefinitionBody;
  const versions = await listVersions(db, row.id);
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    status: row.status,
    version: row.version,
    draftChanged: row.draft_changed === 1,
    stages: body.stages,
    transitions: body.transitions,
    versions: versions.map((v) => ({
      version: v.version,
      publishedAt: isoTime(v.published_at),
    })),
    ...(validation ? { validation } : {}),
    createdAt: isoTime(row.created_at),
    updatedAt: isoTime(row.updated_at),
  };
}

export type DefinitionView = Awaited<ReturnType<typeof view>>;

const designers = (actor: Actor) => requireAdmin(actor, 'Only administrators design processes.');

export async function createDefinition(
  ctx: EngineContext,
  actor: Actor,
  input: DefinitionInput & { name: string },
) {
  designers(actor);
  const body = bodyOf(input);
  const id = ctx.newId();
  const validation = await validateDefinition(body, await validationContext(ctx, ctx.store.db, body, id));
  const now = ctx.clock.now();
  const row: DefinitionRow = {
    id,
    name: input.name,
    description: input.description ?? '',
    draft: JSON.stringify(body),
    status: 'draft',
    version: 0,
    draft_changed: 1,
    created_at: now,
    updated_at: now,
  };
  await ctx.store.transaction((tx) => insertDefinition(tx, row));
  return view(ctx.store.db, row, validation);
}

export async function updateDefinition(ctx: EngineContext, actor: Actor, id: string, input: DefinitionInput) {
  designers(actor);
  const body = bodyOf(input);
  const validation = await validateDefinition(body, await validationContext(ctx, ctx.store.db, body, id));
  const row = await ctx.store.transaction(async (tx) => {
    const current = await findDefinition(tx, id);
    if (!current) throw notFound('Definition', id);
    const draft = JSON.stringify(body);
    const published = current.version > 0 ? await findVersionBody(tx, id, current.version) : undefined;
    const name = input.name ?? current.name;
    const patch = {
      name,
      description: input.description ?? current.description,
      draft,
      draft_changed: published && published.body === draft && published.name === name ? 0 : 1,
      updated_at: ctx.clock.now(),
    };
    await updateDefinitionRow(tx, id, patch);
    return { ...current, ...patch };
  });
  return view(ctx.store.db, row, validation);
}

/** Freezes the draft as a new version. Running processes keep the version they started with. */
export async function publishDefinition(ctx: EngineContext, actor: Actor, id: string) {
  designers(actor);
  const current = await findDefinition(ctx.store.db, id);
  if (!current) throw notFound('Definition', id);
  const body = JSON.parse(current.draft) as DefinitionBody;
  const validation = validateDefinition(body, await validationContext(ctx, ctx.store.db, body, id));
  if (!validation.valid) {
    throw new DomainError('invalid_definition', 'Fix the problems listed before publishing.', {
      errors: validation.errors,
    });
  }
  const row = await ctx.store.transaction(async (tx) => {
    const fresh = await findDefinition(tx, id);
    if (!fresh) throw notFound('Definition', id);
    if (fresh.updated_at !== current.updated_at) {
      throw new DomainError('version_conflict', 'The draft changed while publishing; retry.');
    }
    if (fresh.version > 0 && fresh.draft_changed === 0) return fresh;
    const version = fresh.version + 1;
    const now = ctx.clock.now();
    await insertVersion(tx, {
      definition_id: id,
      version,
      name: fresh.name,
      body: fresh.draft,
      published_at: now,
      published_by: actor.id,
    });
    const patch = { status: 'published' as const, version, draft_changed: 0, updated_at: now };
    await updateDefinitionRow(tx, id, patch);
    return { ...fresh, ...patch };
  });
  return view(ctx.store.db, row);
}

export async function getDefinition(ctx: EngineContext, id: string) {
  const row = await findDefinition(ctx.store.db, id);
  if (!row) throw notFound('Definition', id);
  const body = JSON.parse(row.draft) as DefinitionBody;
  return view(
    ctx.store.db,
    row,
    validateDefinition(body, await validationContext(ctx, ctx.store.db, body, id)),
  );
}

export async function listDefinitions(
  ctx: EngineContext,
  options: {
    status?: 'draft' | 'published' | undefined;
    limit: number;
    after?: string | undefined;
    q?: string | undefined;
  },
) {
  const rows = await listDefinitionRows(
    ctx.store.db,
    { status: options.status, after: decodeIdCursor(options.after), q: options.q },
    options.limit + 1,
  );
  const { page, nextCursor } = idPageOf(rows, options.limit);
  const items = [];
  for (const row of page) items.push(await view(ctx.store.db, row));
  return { items, nextCursor };
}

/** One published version as it was frozen: what processes launched with it run on. */
export async function getDefinitionVersion(ctx: EngineContext, id: string, version: number) {
  const row = await findVersion(ctx.store.db, id, version);
  if (!row) throw notFound('Definition version', `${id}@${version}`);
  const body = JSON.parse(row.body) as DefinitionBody;
  return {
    id,
    version,
    name: row.name,
    stages: body.stages,
    transitions: body.transitions,
    publishedAt: isoTime(row.published_at),
  };
}
