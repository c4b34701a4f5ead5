/**
 * Versioned migrations, run in order on start by Kysely's Migrator. A migration is never edited
 * once released: changes come as a new entry.
 */
import { type Kysely, type Migration, type MigrationProvider, sql } from 'kysely';
import type { DialectCapabilities } from '../capabilities.ts';
import { m004 } from './004-journal-indexes.ts';
import { m006 } from './006-flow-analytics.ts';

type Db = Kysely<unknown>;

function m001(caps: DialectCapabilities) {
  return async (db: Db): Promise<void> => {
    const s = db.schema;
    await s
      .createTable('employees')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('login', 'text', (c) => c.notNull().unique())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('password_hash', 'text', (c) => c.notNull())
      .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await s
      .createTable('sessions')
      .addColumn('token_hash', 'text', (c) => c.primaryKey())
      .addColumn('employee_id', 'text', (c) => c.notNull().references('employees.id'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await s.createIndex('sessions_employee').on('sessions').column('employee_id').execute();

    await s
      .createTable('counterparties')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('phone', 'text')
      .addColumn('email', 'text')
      .addColumn('grp', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await s.createIndex('counterparties_name').on('counterparties').column('name').execute();
    await s
      .createTable('projects')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('counterparty_id', 'text', (c) => c.references('counterparties.id'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await s.createIndex('projects_counterparty').on('projects').column('counterparty_id').execute();
    for (const table of ['orders', 'invoices', 'contracts', 'waybills']) {
      await s
        .createTable(table)
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('number', 'text', (c) => c.notNull())
        .addColumn('counterparty_id', 'text', (c) => c.references('counterparties.id'))
        .addColumn('amount', 'double precision')
        .addColumn('date', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await s.createIndex(`${table}_counterparty`).on(table).column('counterparty_id').execute();
    }

    await s
      .createTable('definitions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('draft', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('draft_changed', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await s
      .createTable('definition_versions')
      .addColumn('definition_id', 'text', (c) => c.notNull().references('definitions.id'))
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('published_at', 'bigint', (c) => c.notNull())
      .addColumn('published_by', 'text')
      .addPrimaryKeyConstraint('definition_versions_pk', ['definition_id', 'version'])
      .execute();

    await s
      .createTable('processes')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('definition_id', 'text', (c) => c.notNull().references('definitions.id'))
      .addColumn('definition_version', 'integer', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('stage_key', 'text', (c) => c.notNull())
      .addColumn('stage_state', 'text', (c) => c.notNull())
      .addColumn('visit', 'integer', (c) => c.notNull())
      .addColumn('responsible_id', 'text', (c) => c.references('employees.id'))
      .addColumn('entered_at', 'bigint', (c) => c.notNull())
      .addColumn('note', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('counterparty_id', 'text', (c) => c.references('counterparties.id'))
      .addColumn('initiator_id', 'text', (c) => c.notNull().references('employees.id'))
      .addColumn('parent_id', 'text')
      .addColumn('paused_until', 'bigint')
      .addColumn('started_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('completed_at', 'bigint')
      .addColumn('version', 'integer', (c) => c.notNull())
      .execute();
    // One index per journal filter, each ending in the default sort so a filtered page is a range scan.
    const journalIndexes: [string, string[]][] = [
      ['processes_updated', ['updated_at', 'id']],
      ['processes_started', ['started_at', 'id']],
      ['processes_status', ['status', 'updated_at', 'id']],
      ['processes_definition', ['definition_id', 'updated_at']],
      ['processes_stage', ['definition_id', 'stage_key']],
      ['processes_responsible', ['responsible_id', 'updated_at']],
      ['processes_counterparty', ['counterparty_id', 'updated_at']],
      ['processes_initiator', ['initiator_id', 'updated_at']],
      ['processes_parent', ['parent_id']],
    ];
    for (const [name, columns] of journalIndexes) {
      await s.createIndex(name).on('processes').columns(columns).execute();
    }
    await s
      .createTable('process_members')
      .addColumn('process_id', 'text', (c) => c.notNull().references('processes.id'))
      .addColumn('employee_id', 'text', (c) => c.notNull().references('employees.id'))
      .addColumn('role', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('process_members_pk', ['process_id', 'employee_id', 'role'])
      .execute();
    await s
      .createIndex('process_members_employee')
      .on('process_members')
      .columns(['employee_id', 'process_id'])
      .execute();

    let protocol = s.createTable('protocol');
    protocol =
      caps.autoIncrementType === 'bigserial'
        ? protocol.addColumn('id', 'bigserial', (c) => c.primaryKey())
        : protocol.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
    await protocol
      .addColumn('process_id', 'text', (c) => c.notNull().references('processes.id'))
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('actor_id', 'text')
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('details', 'text', (c) => c.notNull())
      .execute();
    await s.createIndex('protocol_process').on('protocol').columns(['process_id', 'id']).execute();

    await s
      .createTable('process_links')
      .addColumn('process_id', 'text', (c) => c.notNull().references('processes.id'))
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('linked_id', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('process_links_pk', ['process_id', 'type', 'linked_id'])
      .execute();
    await s.createIndex('process_links_target').on('process_links').columns(['type', 'linked_id']).execute();

    await s
      .createTable('tasks')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('process_id', 'text', (c) => c.references('processes.id'))
      .addColumn('stage_key', 'text')
      .addColumn('visit', 'integer')
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('assignee_id', 'text', (c) => c.references('employees.id'))
      .addColumn('follows_responsible', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('blocking', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('starts_at', 'bigint', (c) => c.notNull())
      .addColumn('due_at', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('completed_at', 'bigint')
      .addColumn('completed_by', 'text')
      .execute();
    await s.createIndex('tasks_process').on('tasks').columns(['process_id', 'status']).execute();
    await s.createIndex('tasks_assignee').on('tasks').columns(['assignee_id', 'status']).execute();
    await s.createIndex('tasks_due').on('tasks').columns(['status', 'due_at']).execute();

    await s
      .createTable('events')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('process_id', 'text', (c) => c.references('processes.id'))
      .addColumn('stage_key', 'text')
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('comment', 'text')
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('actor_id', 'text')
      .execute();
    await s.createIndex('events_process').on('events').columns(['process_id', 'at']).execute();

    await s
      .createTable('timers')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('process_id', 'text', (c) => c.notNull())
      .addColumn('due_at', 'bigint', (c) => c.notNull())
      .addColumn('deferred', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await s.createIndex('timers_due').on('timers').columns(['due_at', 'key']).execute();
    await s.createIndex('timers_process').on('timers').columns(['process_id', 'kind']).execute();

    await s
      .createTable('notifications')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('employee_id', 'text', (c) => c.notNull().references('employees.id'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('process_id', 'text')
      .addColumn('text', 'text', (c) => c.notNull())
      .addColumn('details', 'text', (c) => c.notNull())
      .addColumn('read', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('at', 'bigint', (c) => c.notNull())
      .execute();
    await s
      .createIndex('notifications_employee')
      .on('notifications')
      .columns(['employee_id', 'id'])
      .execute();

    await s
      .createTable('attachments')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('process_id', 'text', (c) => c.notNull().references('processes.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('size', 'bigint', (c) => c.notNull())
      .addColumn('content_type', 'text', (c) => c.notNull())
      .addColumn('sha256', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('created_by', 'text')
      .execute();
    await s.createIndex('attachments_process').on('attachments').columns(['process_id']).execute();

    await s
      .createTable('presence')
      .addColumn('node_id', 'text', (c) => c.notNull())
      .addColumn('employee_id', 'text', (c) => c.notNull())
      .addColumn('connections', 'integer', (c) => c.notNull())
      .addColumn('heartbeat_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('presence_pk', ['node_id', 'employee_id'])
      .execute();
    await s
      .createIndex('presence_employee')
      .on('presence')
      .columns(['employee_id', 'heartbeat_at'])
      .execute();

    await s
      .createTable('settings')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute();
  };
}

/**
 * Reliability: a timer that keeps failing is parked after a number of tries instead of being
 * retried forever; a POST with an Idempotency-Key is answered once and replayed after.
 */
function m002() {
  return async (db: Db): Promise<void> => {
    const s = db.schema;
    await s
      .alterTable('timers')
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await s.alterTable('timers').addColumn('parked_at', 'bigint').execute();
    await s.alterTable('timers').addColumn('last_error', 'text').execute();
    await s
      .createTable('idempotency_keys')
      .addColumn('employee_id', 'text', (c) => c.notNull())
      .addColumn('key', 'text', (c) => c.notNull())
      .addColumn('method', 'text', (c) => c.notNull())
      .addColumn('path', 'text', (c) => c.notNull())
      .addColumn('request_hash', 'text', (c) => c.notNull())
      .addColumn('status', 'integer', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('idempotency_keys_pk', ['employee_id', 'key'])
      .execute();
    await s.createIndex('idempotency_keys_created').on('idempotency_keys').column('created_at').execute();
    await s.createIndex('sessions_expires').on('sessions').column('expires_at').execute();
  };
}

/**
 * Parked timers leave the claim: the due index covers only unparked rows, so parked ones (which
 * stay due) are never scanned past, and a small index lists the parked ones for administrators.
 */
function m003() {
  return async (db: Db): Promise<void> => {
    const s = db.schema;
    await s.dropIndex('timers_due').execute();
    await s
      .createIndex('timers_due')
      .on('timers')
      .columns(['due_at', 'key'])
      .where(sql<boolean>`parked_at is null`)
      .execute();
    await s
      .createIndex('timers_parked')
      .on('timers')
      .column('key')
      .where(sql<boolean>`parked_at is not null`)
      .execute();
  };
}

/**
 * Time control: the stage deadline and clock on the process, deputies standing in for absent
 * employees, and absences that start and end as durable timers of their own.
 */
function m005() {
  return async (db: Db): Promise<void> => {
    const s = db.schema;
    await s.alterTable('processes').addColumn('due_at', 'bigint').execute();
    await s.alterTable('processes').addColumn('acting_for_id', 'text').execute();
    await s.alterTable('processes').addColumn('stage_clock', 'text').execute();
    await s.alterTable('processes').addColumn('routing_until', 'bigint').execute();
    await s
      .createIndex('processes_due')
      .on('processes')
      .columns(['due_at', 'id'])
      .where(sql<boolean>`due_at is not null`)
      .execute();
    await s
      .createIndex('processes_acting_for')
      .on('processes')
      .column('acting_for_id')
      .where(sql<boolean>`acting_for_id is not null`)
      .execute();
    await s
      .createTable('absences')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('employee_id', 'text', (c) => c.notNull())
      .addColumn('deputy_id', 'text', (c) => c.notNull())
      .addColumn('from_at', 'bigint', (c) => c.notNull())
      .addColumn('to_at', 'bigint', (c) => c.notNull())
      .addColumn('move_open_work', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_by', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('started_at', 'bigint')
      .addColumn('ended_at', 'bigint')
      .execute();
    await s.createIndex('absences_employee').on('absences').columns(['employee_id', 'to_at']).execute();
    await s.createIndex('absences_to').on('absences').column('to_at').execute();
    await s
      .createIndex('processes_awaiting')
      .on('processes')
      .column('routing_until')
      .where(sql<boolean>`routing_until is not null`)
      .execute();
    await s
      .createIndex('absences_pending_start')
      .on('absences')
      .column('from_at')
      .where(sql<boolean>`started_at is null`)
      .execute();
    await s
      .createIndex('absences_pending_end')
      .on('absences')
      .column('to_at')
      .where(sql<boolean>`ended_at is null`)
      .execute();
  };
}

/**
 * Version migration walks the running processes of one definition version in id order, a page at
 * a time: a partial index holds exactly those, so a page is a range scan however many finished
 * processes the version has.
 */
function m007() {
  return async (db: Db): Promise<void> => {
    await db.schema
      .createIndex('processes_running_version')
      .on('processes')
      .columns(['definition_id', 'definition_version', 'id'])
      .where(sql<boolean>`status in ('active', 'paused')`)
      .execute();
  };
}

/** The migrations in order, named so their order is the order of their names. */
export function migrationProvider(caps: DialectCapabilities): MigrationProvider {
  const migrations: Record<string, Migration> = {
    '001_initial': { up: m001(caps) },
    '002_reliability': { up: m002() },
    '003_timer_parking': { up: m003() },
    '004_journal_indexes': { up: m004(caps) },
    '005_time_control': { up: m005() },
    '006_flow_analytics': { up: m006() },
    '007_running_version_index': { up: m007() },
  };
  return { getMigrations: async () => migrations };
}
