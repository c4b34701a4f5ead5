/**
 * Rows written straight into the tables, for tests that build a state faster than the engine
 * would: every column the table needs, with the values of a process that has just started.
 */
import type { Insertable } from 'kysely';
import type { ProcessTable } from '../../src/store/schema.ts';

/** An active process at its `start` stage since time 0, started by `anna`; `fields` replace any. */
export function processRow(
  fields: Pick<Insertable<ProcessTable>, 'id' | 'definition_id'> & Partial<Insertable<ProcessTable>>,
): Insertable<ProcessTable> {
  return {
    definition_version: 1,
    status: 'active',
    stage_key: 'start',
    stage_state: 'in_progress',
    visit: 1,
    responsible_id: null,
    entered_at: 0,
    note: '',
    counterparty_id: null,
    initiator_id: 'anna',
    parent_id: null,
    paused_until: null,
    started_at: 0,
    updated_at: 0,
    completed_at: null,
    version: 1,
    ...fields,
  };
}
