/**
 * Backup and restore (`npm run backup` / `npm run restore`, README "Backup and restore"): an online
 * backup taken through the CLI while the server keeps writing, restored into a fresh DATA_DIR, holds
 * every process card, protocol and attachment the API had acknowledged before the backup began.
 * PostgreSQL is backed up with pg_dump: there the CLI only says so, clearly, and fails.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { backupSqlite, restoreSqlite } from '../../src/store/backup.ts';
import { expectStatus, publishDefinition } from '../support/api-helpers.ts';
import { type Client, startTestServer, type TestServer } from '../support/server.ts';
import { createTestDatabase, STORES, type TestDatabase } from '../support/stores.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command of the project in a child process with DATA_DIR (and DATABASE_URL) set. */
function run(command: string, args: readonly string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { cwd: ROOT, env: { ...process.env, DATABASE_URL: '', LOG_LEVEL: 'silent', ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const cli = (args: readonly string[], env: Record<string, string>) =>
  run('npx', ['tsx', 'src/cli.ts', ...args], env);

const FLOW = {
  stages: [
    { key: 'ask', name: 'Ask', kind: 'start' },
    { key: 'rest', name: 'Rest', kind: 'normal', wait: 'P1D' },
    { key: 'offer', name: 'Offer', kind: 'normal', task: { title: 'Write it', assignee: 'responsible' } },
    { key: 'won', name: 'Won', kind: 'end' },
    { key: 'lost', name: 'Lost', kind: 'end' },
  ],
  transitions: [
    { from: 'ask', to: 'rest', result: 'Later' },
    { from: 'ask', to: 'offer', result: 'Now' },
    { from: 'rest', to: 'offer', result: 'Again' },
    { from: 'offer', to: 'won', result: 'Paid' },
    { from: 'offer', to: 'lost', result: 'Refused' },
  ],
};

async function upload(t: TestServer, who: Client, processId: string, text: string): Promise<string> {
  const form = new FormData();
  form.append('file', new Blob([Buffer.from(text)]), `${text}.txt`);
  const res = await fetch(`${t.url}/api/processes/${processId}/attachments`, {
    method: 'POST',
    headers: { authorization: `Bearer ${who.token}` },
    body: form,
  });
  const body = (await res.json()) as { id: string };
  expect(res.status, JSON.stringify(body)).toBe(201);
  return body.id;
}

async function download(t: TestServer, processId: string, attachmentId: string): Promise<string> {
  const res = await fetch(`${t.url}/api/processes/${processId}/attachments/${attachmentId}`, {
    headers: { authorization: `Bearer ${t.admin.token}` },
  });
  expect(res.status).toBe(200);
  return Buffer.from(await res.arrayBuffer()).toString();
}

/** The card and protocol of each process, as the admin sees them. */
async function state(admin: Client, ids: readonly string[]) {
  const out: Record<string, { card: unknown; protocol: unknown }> = {};
  for (const id of ids) {
    const card = await admin.get(`/api/processes/${id}`);
    const protocol = await admin.get(`/api/processes/${id}/protocol`);
    expectStatus(card, 200);
    expectStatus(protocol, 200);
    out[id] = { card: card.body, protocol: protocol.body.items };
  }
  return out;
}

for (const kind of STORES) {
  if (kind === 'postgres') {
    describe('postgres: backup and restore', () => {
      it('the CLI names pg_dump and pg_restore and fails, for both commands', {
        timeout: 120_000,
      }, async () => {
        const dir = mkdtempSync(path.join(tmpdir(), 'stageflow-backup-'));
        try {
          const env = { DATA_DIR: dir, DATABASE_URL: 'postgres://someone:secret@127.0.0.1:5432/nowhere' };
          const outs = await Promise.all(
            ['backup', 'restore'].map((command) => cli([command, path.join(dir, 'x.db')], env)),
          );
          for (const out of outs) {
            expect(out.code, out.stdout).not.toBe(0);
            expect(out.stderr).toContain('DATABASE_URL points at PostgreSQL');
            expect(out.stderr).toContain('pg_dump');
            expect(out.stderr).toContain('pg_restore');
            expect(out.stderr).not.toContain('secret');
          }
          expect(existsSync(path.join(dir, 'x.db'))).toBe(false);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      });
    });
    continue;
  }

  describe('sqlite: backup and restore', () => {
    const cleanup: (() => Promise<void> | void)[] = [];
    afterAll(async () => {
      for (const fn of cleanup.reverse()) await fn();
    });

    // Generous time: two child processes start tsx, seconds each on a busy machine.
    it('a backup taken while the server writes restores every acknowledged card, protocol and file', {
      timeout: 120_000,
    }, async () => {
      const t = await startTestServer('sqlite');
      cleanup.push(() => t.close());
      const work = mkdtempSync(path.join(tmpdir(), 'stageflow-backup-'));
      cleanup.push(() => rmSync(work, { recursive: true, force: true }));
      const file = path.join(work, 'nightly.db');

      // Acknowledged before the backup: processes in every state, with protocol, files and links.
      const anna = await t.employee('anna', 'manager', 'Anna Backup');
      const definitionId = await publishDefinition(t.admin, 'Backed up', FLOW);
      const invoice = (await t.admin.post('/api/invoices', { number: 'INV-B1' })).body;
      const ids: string[] = [];
      const files = new Map<string, [string, string]>();
      for (let i = 0; i < 6; i++) {
        const card = (await anna.post('/api/processes', { definitionId, note: `p${i}` })).body;
        ids.push(card.id);
        if (i < 2) files.set(card.id, [await upload(t, anna, card.id, `file-${i}`), `file-${i}`]);
        if (i === 1) {
          const link = { type: 'invoice', id: invoice.id };
          expectStatus(await anna.post(`/api/processes/${card.id}/links`, link), 201);
        }
        const move = (body: object) => anna.post(`/api/processes/${card.id}/stage`, body);
        if (i % 3 === 0) expectStatus(await move({ state: 'done', result: 'Later' }), 200);
        if (i % 3 === 1) {
          expectStatus(await move({ state: 'done', result: 'Now' }), 200);
          expectStatus(await move({ state: 'done', result: 'Paid' }), 200);
        }
        if (i === 2) expectStatus(await anna.post(`/api/processes/${card.id}/pause`, { for: 'P2D' }), 200);
        if (i === 5) expectStatus(await t.admin.post(`/api/processes/${card.id}/cancel`), 200);
      }
      expectStatus(await t.admin.post('/api/test/clock', { advance: 'PT1H' }), 200);
      const acknowledged = await state(t.admin, ids);

      // Writes go on while the CLI (through the npm script) takes the backup.
      let writing = true;
      const launched: string[] = [];
      let started: () => void = () => undefined;
      const underWay = new Promise<void>((resolve) => {
        started = resolve;
      });
      const writer = (async () => {
        while (writing) {
          const res = await anna.post('/api/processes', { definitionId, note: 'during the backup' });
          expectStatus(res, 201);
          launched.push(res.body.id);
          if (launched.length === 2) started();
          expectStatus(
            await anna.post(`/api/processes/${res.body.id}/stage`, { state: 'done', result: 'Now' }),
            200,
          );
        }
      })();
      await underWay;
      const writtenBefore = launched.length;
      let backup: Run;
      try {
        backup = await run('npm', ['run', '-s', 'backup', '--', file], { DATA_DIR: t.database.dataDir });
      } finally {
        writing = false;
        await writer;
      }
      expect(backup.code, backup.stderr).toBe(0);
      expect(backup.stdout).toContain('2 attachments');
      expect(launched.length).toBeGreaterThan(writtenBefore);

      // A second backup to the same name is refused without --force; restoring over the running
      // server's database is refused; so is restoring over a stopped but non-empty one.
      const dataDir = t.database.dataDir;
      await expect(backupSqlite(dataDir, file)).rejects.toThrow(/already exists.*--force/);
      await expect(restoreSqlite(file, dataDir)).rejects.toThrow(/stop the app first/);
      await t.stop();
      await expect(restoreSqlite(file, dataDir)).rejects.toThrow(/already holds a database.*--force/);

      const fresh = await createTestDatabase('sqlite');
      cleanup.push(() => fresh.drop());
      const restored = await cli(['restore', file], { DATA_DIR: fresh.dataDir });
      expect(restored.code, restored.stderr).toBe(0);
      expect(restored.stdout).toContain('2 attachments');

      const back = await startTestServer('sqlite', {}, fresh as TestDatabase);
      cleanup.push(() => back.stop());
      expect(await state(back.admin, ids)).toEqual(acknowledged);
      for (const [processId, [attachmentId, text]] of files)
        expect(await download(back, processId, attachmentId)).toBe(text);
      // Processes launched during the backup are there whole or not at all.
      let inBackup = 0;
      for (const id of launched) {
        const card = await back.admin.get(`/api/processes/${id}`);
        if (card.status === 404) continue;
        inBackup++;
        expectStatus(card, 200);
        const protocol = (await back.admin.get(`/api/processes/${id}/protocol`)).body.items;
        expect(protocol[0].action).toBe('process.launched');
      }
      console.log(
        JSON.stringify({ test: 'backup', launchedDuringBackup: launched.length - writtenBefore, inBackup }),
      );
      for (const id of launched.slice(0, writtenBefore))
        expectStatus(await back.admin.get(`/api/processes/${id}`), 200);
      // The restored server works on: a process from before the backup moves on.
      const resting = ids[0] as string;
      expectStatus(await back.admin.post('/api/test/clock', { advance: 'P1D' }), 200);
      expect((await back.admin.get(`/api/processes/${resting}`)).body.stage.key).toBe('offer');
    });
  });
}
