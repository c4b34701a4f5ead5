/** Command line: `start` (default), `migrate`, `seed-demo`. */

import { openConfiguredStore, startServer } from './api/server.ts';
import { loadConfig } from './config.ts';
import { createEngineContext } from './engine/context.ts';
import { seedDemo } from './engine/seed-demo.ts';
import { systemClock } from './scheduler/clock.ts';

async function main(command: string): Promise<void> {
  const config = loadConfig();
  if (command === 'start') {
    const server = await startServer(config);
    for (const line of server.notices) console.log(line);
    console.log(`Stageflow is running at ${server.url} (API docs: ${server.url}/api/docs)`);
    const shutdown = () => {
      server.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.once('SIGINT', shutdown);
    process.once('SIGTERM', shutdown);
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
  throw new Error(`unknown command "${command}"; use start, migrate or seed-demo`);
}

main(process.argv[2] ?? 'start').catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
