/**
 * Versioned migrations, run in order on start by Kysely's Migrator. A migration is never edited
 * once released: changes come as a new entry.
 */
import type { Migration, MigrationProvider } from 'kysely';
import type { DialectCapabilities } from '../capabilities.ts';
import { m004 } from './004-journal-indexes.ts';
import { m006 } from './006-flow-analytics.ts';
import { m008 } from './008-analytics-rollups.ts';
import { m010 } from './010-overdue-status.ts';
import { m011 } from './011-process-viewers.ts';
import { m012 } from './012-analytics-running.ts';
import { type Columns, type SchemaChange, schemaChange } from './ddl.ts';

function m001(caps: DialectCapabilities): SchemaChange {
  // Business records (orders, invoices, …): a number, a client, an amount and a date.
  const records = ['orders', 'invoices', 'contracts', 'waybills'];
  const record: Columns = {
    id: 'text primary key',
    number: 'text not null',
    counterparty_id: 'text references counterparties.id',
    amount: 'double precision',
    date: 'text',
    created_at: 'bigint not null',
    updated_at: 'bigint not null',
  };
  return {
    tables: {
      employees: {
        id: 'text primary key',
        login: 'text not null unique',
        name: 'text not null',
        role: 'text not null',
        password_hash: 'text not null',
        active: 'integer not null default 1',
        created_at: 'bigint not null',
      },
      sessions: {
        token_hash: 'text primary key',
        employee_id: 'text not null references employees.id',
        created_at: 'bigint not null',
        expires_at: 'bigint not null',
      },
      counterparties: {
        id: 'text primary key',
        name: 'text not null',
        phone: 'text',
        email: 'text',
        grp: 'text',
        created_at: 'bigint not null',
        updated_at: 'bigint not null',
      },
      projects: {
        id: 'text primary key',
        name: 'text not null',
        counterparty_id: 'text references counterparties.id',
        created_at: 'bigint not null',
        updated_at: 'bigint not null',
      },
      ...Object.fromEntries(records.map((table) => [table, record])),
      definitions: {
        id: 'text primary key',
        name: 'text not null',
        description: "text not null default ''",
        draft: 'text not null',
        status: 'text not null',
        version: 'integer not null default 0',
        draft_changed: 'integer not null default 1',
        created_at: 'bigint not null',
        updated_at: 'bigint not null',
      },
      definition_versions: {
        definition_id: 'text not null references definitions.id',
        version: 'integer not null',
        name: 'text not null',
        body: 'text not null',
        published_at: 'bigint not null',
        published_by: 'text',
      },
      processes: {
        id: 'text primary key',
        definition_id: 'text not null references definitions.id',
        definition_version: 'integer not null',
        status: 'text not null',
        stage_key: 'text not null',
        stage_state: 'text not null',
        visit: 'integer not null',
        responsible_id: 'text references employees.id',
        entered_at: 'bigint not null',
        note: "text not null default ''",
        counterparty_id: 'text references counterparties.id',
        initiator_id: 'text not null references employees.id',
        parent_id: 'text',
        paused_until: 'bigint',
        started_at: 'bigint not null',
        updated_at: 'bigint not null',
        completed_at: 'bigint',
        version: 'integer not null',
      },
      process_members: {
        process_id: 'text not null references processes.id',
        employee_id: 'text not null references employees.id',
        role: 'text not null',
      },
      protocol: {
        id:
          caps.autoIncrementType === 'bigserial'
            ? 'bigserial primary key'
            : 'integer primary key autoincrement',
        process_id: 'text not null references processes.id',
        at: 'bigint not null',
        actor_id: 'text',
        action: 'text not null',
        details: 'text not null',
      },
      process_links: {
        process_id: 'text not null references processes.id',
        type: 'text not null',
        linked_id: 'text not null',
      },
      tasks: {
        id: 'text primary key',
        process_id: 'text references processes.id',
        stage_key: 'text',
        visit: 'integer',
        title: 'text not null',
        description: 'text',
        assignee_id: 'text references employees.id',
        follows_responsible: 'integer not null default 0',
        blocking: 'integer not null default 0',
        status: 'text not null',
        starts_at: 'bigint not null',
        due_at: 'bigint',
        created_at: 'bigint not null',
        completed_at: 'bigint',
        completed_by: 'text',
      },
      events: {
        id: 'text primary key',
        process_id: 'text references processes.id',
        stage_key: 'text',
        type: 'text not null',
        comment: 'text',
        at: 'bigint not null',
        actor_id: 'text',
      },
      timers: {
        key: 'text primary key',
        kind: 'text not null',
        process_id: 'text not null',
        due_at: 'bigint not null',
        deferred: 'integer not null default 0',
      },
      notifications: {
        id: 'text primary key',
        employee_id: 'text not null references employees.id',
        kind: 'text not null',
        process_id: 'text',
        text: 'text not null',
        details: 'text not null',
        read: 'integer not null default 0',
        at: 'bigint not null',
      },
      attachments: {
        id: 'text primary key',
        process_id: 'text not null references processes.id',
        name: 'text not null',
        size: 'bigint not null',
        content_type: 'text not null',
        sha256: 'text not null',
        created_at: 'bigint not null',
        created_by: 'text',
      },
      presence: {
        node_id: 'text not null',
        employee_id: 'text not null',
        connections: 'integer not null',
        heartbeat_at: 'bigint not null',
      },
      settings: { key: 'text primary key', value: 'text not null' },
    },
    primaryKeys: {
      definition_versions: ['definition_id', 'version'],
      process_members: ['process_id', 'employee_id', 'role'],
      process_links: ['process_id', 'type', 'linked_id'],
      presence: ['node_id', 'employee_id'],
    },
    indexes: {
      sessions_employee: 'sessions (employee_id)',
      counterparties_name: 'counterparties (name)',
      projects_counterparty: 'projects (counterparty_id)',
      ...Object.fromEntries(records.map((table) => [`${table}_counterparty`, `${table} (counterparty_id)`])),
      // One index per journal filter, each ending in the default sort so a filtered page is a range scan.
      processes_updated: 'processes (updated_at, id)',
      processes_started: 'processes (started_at, id)',
      processes_status: 'processes (status, updated_at, id)',
      processes_definition: 'processes (definition_id, updated_at)',
      processes_stage: 'processes (definition_id, stage_key)',
      processes_responsible: 'processes (responsible_id, updated_at)',
      processes_counterparty: 'processes (counterparty_id, updated_at)',
      processes_initiator: 'processes (initiator_id, updated_at)',
      processes_parent: 'processes (parent_id)',
      process_members_employee: 'process_members (employee_id, process_id)',
      protocol_process: 'protocol (process_id, id)',
      process_links_target: 'process_links (type, linked_id)',
      tasks_process: 'tasks (process_id, status)',
      tasks_assignee: 'tasks (assignee_id, status)',
      tasks_due: 'tasks (status, due_at)',
      events_process: 'events (process_id, at)',
      timers_due: 'timers (due_at, key)',
      timers_process: 'timers (process_id, kind)',
      notifications_employee: 'notifications (employee_id, id)',
      attachments_process: 'attachments (process_id)',
      presence_employee: 'presence (employee_id, heartbeat_at)',
    },
  };
}

/**
 * Reliability: a timer that keeps failing is parked after a number of tries instead of being
 * retried forever; a POST with an Idempotency-Key is answered once and replayed after.
 */
const m002: SchemaChange = {
  addColumns: {
    timers: { attempts: 'integer not null default 0', parked_at: 'bigint', last_error: 'text' },
  },
  tables: {
    idempotency_keys: {
      employee_id: 'text not null',
      key: 'text not null',
      method: 'text not null',
      path: 'text not null',
      request_hash: 'text not null',
      status: 'integer not null',
      body: 'text not null',
      created_at: 'bigint not null',
    },
  },
  primaryKeys: { idempotency_keys: ['employee_id', 'key'] },
  indexes: {
    idempotency_keys_created: 'idempotency_keys (created_at)',
    sessions_expires: 'sessions (expires_at)',
  },
};

/**
 * Parked timers leave the claim: the due index covers only unparked rows, so parked ones (which
 * stay due) are never scanned past, and a small index lists the parked ones for administrators.
 */
const m003: SchemaChange = {
  dropIndexes: ['timers_due'],
  indexes: {
    timers_due: 'timers (due_at, key) where parked_at is null',
    timers_parked: 'timers (key) where parked_at is not null',
  },
};

/**
 * Time control: the stage deadline and clock on the process, deputies standing in for absent
 * employees, and absences that start and end as durable timers of their own.
 */
const m005: SchemaChange = {
  addColumns: {
    processes: { due_at: 'bigint', acting_for_id: 'text', stage_clock: 'text', routing_until: 'bigint' },
  },
  tables: {
    absences: {
      id: 'text primary key',
      employee_id: 'text not null',
      deputy_id: 'text not null',
      from_at: 'bigint not null',
      to_at: 'bigint not null',
      move_open_work: 'integer not null default 0',
      created_by: 'text not null',
      created_at: 'bigint not null',
      started_at: 'bigint',
      ended_at: 'bigint',
    },
  },
  indexes: {
    processes_due: 'processes (due_at, id) where due_at is not null',
    processes_acting_for: 'processes (acting_for_id) where acting_for_id is not null',
    absences_employee: 'absences (employee_id, to_at)',
    absences_to: 'absences (to_at)',
    processes_awaiting: 'processes (routing_until) where routing_until is not null',
    absences_pending_start: 'absences (from_at) where started_at is null',
    absences_pending_end: 'absences (to_at) where ended_at is null',
  },
};

/**
 * Version migration walks the running processes of one definition version in id order, a page at
 * a time: a partial index holds exactly those, so a page is a range scan however many finished
 * processes the version has.
 */
const m007: SchemaChange = {
  indexes: {
    processes_running_version:
      "processes (definition_id, definition_version, id) where status in ('active', 'paused')",
  },
};

/**
 * Most processes have no parent and many no client: the indexes of those two journal filters hold
 * only the processes that have one, so a stage move of any other process leaves them untouched (a
 * filter `= value` implies `is not null`, and both databases use a partial index for it).
 */
const m009: SchemaChange = {
  dropIndexes: ['processes_counterparty', 'processes_parent'],
  indexes: {
    processes_counterparty:
      'processes (counterparty_id, updated_at, id, status) where counterparty_id is not null',
    processes_parent: 'processes (parent_id, updated_at, id, status) where parent_id is not null',
  },
};

/** The migrations in order, named so their order is the order of their names. */
export function migrationProvider(caps: DialectCapabilities): MigrationProvider {
  const migrations: Record<string, Migration> = {
    '001_initial': { up: schemaChange(m001(caps)) },
    '002_reliability': { up: schemaChange(m002) },
    '003_timer_parking': { up: schemaChange(m003) },
    '004_journal_indexes': { up: m004(caps) },
    '005_time_control': { up: schemaChange(m005) },
    '006_flow_analytics': { up: m006() },
    '007_running_version_index': { up: schemaChange(m007) },
    '008_analytics_rollups': { up: m008(caps) },
    '009_partial_journal_indexes': { up: schemaChange(m009) },
    '010_overdue_status': { up: m010(caps) },
    '011_process_viewers': { up: m011(caps) },
    '012_analytics_running': { up: m012(caps) },
  };
  return { getMigrations: async () => migrations };
}
