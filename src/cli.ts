/** Command line: `start` (default), `migrate`, `seed-demo`, `backup <file>`, `restore <file>`. */

import { openConfiguredStore, startServer } from './app.ts';
import { loadConfig } from './config.ts';
import { createEngineContext } from './context.ts';
import { seedDemo } from './demo/seed-demo.ts';
import { systemClock } from './scheduler/clock.ts';
import { backupSqlite, postgresBackupAdvice, restoreSqlite } from './store/backup.ts';

/** Longest a graceful shutdown may take before the process exits regardless. */
const SHUTDOWN_GRACE_MS = 10_000;

async function main(command: string): Promise<void> {
  const config = loadConfig();
  if (command === 'start') {
    const server = await startServer(config);
    for (const line of server.notices) console.log(line);
    console.log(`Stageflow is running at ${server.url} (API docs: ${server.url}/api/docs)`);
    // Requests in flight may finish, but shutdown ends in bounded time whatever they do: after
    // SHUTDOWN_GRACE_MS the process exits anyway, and a second signal exits at once. Nothing is
    // lost by that: every acknowledged change is committed, and what was not acknowledged rolls back.
    let stopping = false;
    const shutdown = (signal: NodeJS.Signals) => {
      if (stopping) {
        console.error(`${signal} again: exiting now.`);
        process.exit(1);
      }
      stopping = true;
      setTimeout(() => {
        console.error(`Shutdown took longer than ${SHUTDOWN_GRACE_MS} ms; exiting.`);
        process.exit(1);
      }, SHUTDOWN_GRACE_MS).unref();
      server.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.on('SIGINT', shutdown);
    process.on('SIGTERM', shutdown);
    return;
  }
  if (command === 'migrate') {
    const store = await openConfiguredStore(config);
    await store.close();
    console.log('The database is up to date.');
    return;
  }
  if (command === 'seed-demo') {
    const store = await openConfiguredStore(config);
    const lines = await seedDemo(
      createEngineContext({ store, clock: systemClock, zone: config.timezone }),
      config.language,
    );
    for (const line of lines) console.log(line);
    await store.close();
    return;
  }
  if (command === 'backup' || command === 'restore') {
    // backup <file> [--force] / restore <file> [--force]; the logic is in src/store/backup.ts.
    const args = process.argv.slice(3);
    const file = args.find((a) => !a.startsWith('--'));
    if (config.databaseUrl) throw new Error(postgresBackupAdvice(command));
    if (!file) throw new Error(`usage: npm run ${command} -- <file> [--force]`);
    const options = { force: args.includes('--force') };
    const done =
      command === 'backup'
        ? await backupSqlite(config.dataDir, file, options)
        : await restoreSqlite(file, config.dataDir, options);
    const files = done.attachments === 1 ? '1 attachment' : `${done.attachments} attachments`;
    console.log(
      command === 'backup'
        ? `Backed up ${config.dataDir} to ${done.file} (${done.bytes} bytes) and ${files}.`
        : `Restored ${done.file} (${done.bytes} bytes) and ${files} from ${file}.`,
    );
    return;
  }
  throw new Error(`unknown command "${command}"; use start, migrate, seed-demo, backup or restore`);
}

main(process.argv[2] ?? 'start').catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
