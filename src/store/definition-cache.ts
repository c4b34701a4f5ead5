/** Published definition versions never change, so each is read and compiled once per node. */
import {
  type CompiledDefinition,
  compileDefinition,
  type DefinitionBody,
} from '../domain/definition/types.ts';
import { notFound } from '../domain/errors.ts';
import type { Db } from './store.ts';

export interface LoadedVersion {
  readonly id: string;
  readonly version: number;
  readonly name: string;
  readonly compiled: CompiledDefinition;
}

const MAX_ENTRIES = 2000;

export class DefinitionCache {
  readonly #entries = new Map<string, LoadedVersion>();

  async load(db: Db, id: string, version: number): Promise<LoadedVersion> {
    const key = `${id}@${version}`;
    const hit = this.#entries.get(key);
    if (hit) return hit;
    const row = await db
      .selectFrom('definition_versions')
      .select(['name', 'body'])
      .where('definition_id', '=', id)
      .where('version', '=', version)
      .executeTakeFirst();
    if (!row) throw notFound('Definition version', `${id}@${version}`);
    const loaded: LoadedVersion = {
      id,
      version,
      name: row.name,
      compiled: compileDefinition(JSON.parse(row.body) as DefinitionBody),
    };
    if (this.#entries.size >= MAX_ENTRIES) this.#entries.clear();
    this.#entries.set(key, loaded);
    return loaded;
  }
}
