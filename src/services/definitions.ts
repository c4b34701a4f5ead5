/** Process definitions: drafts (saved even while invalid), validation, and publishing versions. */

import type { Selectable } from 'kysely';
import { type Actor, type EngineContext, requireAdmin } from '../context.ts';
import { isoTime } from '../domain/clock.ts';
import type { DefinitionBody, ValidationResult } from '../domain/definition/types.ts';
import { type SpawnTarget, validateDefinition } from '../domain/definition/validate.ts';
import { DomainError, notFound } from '../domain/errors.ts';
import { limitsOf } from '../engine/limits.ts';
import { decodeIdCursor, idPageOf } from '../store/cursor.ts';
import type { DefinitionTable } from '../store/schema.ts';
import type { Db } from '../store/store.ts';
import { containsText } from '../store/text-search.ts';

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
  const employees = new Set(
    (await db.selectFrom('employees').select('id').where('active', '=', 1).execute()).map((e) => e.id),
  );
  const targets = new Map<string, SpawnTarget>();
  let frontier = [...new Set(body.stages.flatMap((s) => (Array.isArray(s.spawn) ? s.spawn : [])))].filter(
    (id) => typeof id === 'string' && id !== selfId,
  );
  while (frontier.length > 0) {
    const rows = [];
    // A draft may name up to 100 000 definitions; one `in (…)` list holds far fewer parameters.
    for (let i = 0; i < frontier.length; i += IN_LIST_MAX) {
      rows.push(
        ...(await db
          .selectFrom('definitions as d')
          .leftJoin('definition_versions as v', (j) =>
            j.onRef('v.definition_id', '=', 'd.id').onRef('v.version', '=', 'd.version'),
          )
          .select(['d.id', 'd.version', 'v.body'])
          .where('d.id', 'in', frontier.slice(i, i + IN_LIST_MAX))
          .execute()),
      );
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

async function view(db: Db, row: Selectable<DefinitionTable>, validation?: ValidationResult) {
  const body = JSON.parse(row.draft) as DefinitionBody;
  const versions = await db
    .selectFrom('definition_versions')
    .select(['version', 'published_at'])
    .where('definition_id', '=', row.id)
    .orderBy('version', 'desc')
    .execute();
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
  const row: Selectable<DefinitionTable> = {
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
  await ctx.store.transaction((tx) => tx.insertInto('definitions').values(row).execute());
  return view(ctx.store.db, row, validation);
}

export async function updateDefinition(ctx: EngineContext, actor: Actor, id: string, input: DefinitionInput) {
  designers(actor);
  const body = bodyOf(input);
  const validation = await validateDefinition(body, await validationContext(ctx, ctx.store.db, body, id));
  const row = await ctx.store.transaction(async (tx) => {
    const current = await tx.selectFrom('definitions').selectAll().where('id', '=', id).executeTakeFirst();
    if (!current) throw notFound('Definition', id);
    const draft = JSON.stringify(body);
    const published =
      current.version > 0
        ? await tx
            .selectFrom('definition_versions')
            .select(['body', 'name'])
            .where('definition_id', '=', id)
            .where('version', '=', current.version)
            .executeTakeFirst()
        : undefined;
    const name = input.name ?? current.name;
    const patch = {
      name,
      description: input.description ?? current.description,
      draft,
      draft_changed: published && published.body === draft && published.name === name ? 0 : 1,
      updated_at: ctx.clock.now(),
    };
    await tx.updateTable('definitions').set(patch).where('id', '=', id).execute();
    return { ...current, ...patch };
  });
  return view(ctx.store.db, row, validation);
}

/** Freezes the draft as a new version. Running processes keep the version they started with. */
export async function publishDefinition(ctx: EngineContext, actor: Actor, id: string) {
  designers(actor);
  const current = await ctx.store.db
    .selectFrom('definitions')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  if (!current) throw notFound('Definition', id);
  const body = JSON.parse(current.draft) as DefinitionBody;
  const validation = validateDefinition(body, await validationContext(ctx, ctx.store.db, body, id));
  if (!validation.valid) {
    throw new DomainError('invalid_definition', 'Fix the problems listed before publishing.', {
      errors: validation.errors,
    });
  }
  const row = await ctx.store.transaction(async (tx) => {
    const fresh = await tx.selectFrom('definitions').selectAll().where('id', '=', id).executeTakeFirst();
    if (!fresh) throw notFound('Definition', id);
    if (fresh.updated_at !== current.updated_at) {
      throw new DomainError('version_conflict', 'The draft changed while publishing; retry.');
    }
    if (fresh.version > 0 && fresh.draft_changed === 0) return fresh;
    const version = fresh.version + 1;
    const now = ctx.clock.now();
    await tx
      .insertInto('definition_versions')
      .values({
        definition_id: id,
        version,
        name: fresh.name,
        body: fresh.draft,
        published_at: now,
        published_by: actor.id,
      })
      .execute();
    const patch = { status: 'published' as const, version, draft_changed: 0, updated_at: now };
    await tx.updateTable('definitions').set(patch).where('id', '=', id).execute();
    return { ...fresh, ...patch };
  });
  return view(ctx.store.db, row);
}

export async function getDefinition(ctx: EngineContext, id: string) {
  const row = await ctx.store.db
    .selectFrom('definitions')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
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
  let q = ctx.store.db.selectFrom('definitions').selectAll();
  if (options.status) q = q.where('status', '=', options.status);
  const after = decodeIdCursor(options.after);
  if (after) q = q.where('id', '>', after);
  if (options.q) q = q.where(containsText('name', options.q));
  const rows = await q
    .orderBy('id')
    .limit(options.limit + 1)
    .execute();
  const { page, nextCursor } = idPageOf(rows, options.limit);
  const items = [];
  for (const row of page) items.push(await view(ctx.store.db, row));
  return { items, nextCursor };
}

/** One published version as it was frozen: what processes launched with it run on. */
export async function getDefinitionVersion(ctx: EngineContext, id: string, version: number) {
  const row = await ctx.store.db
    .selectFrom('definition_versions')
    .selectAll()
    .where('definition_id', '=', id)
    .where('version', '=', version)
    .executeTakeFirst();
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
