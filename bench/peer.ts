/**
 * Section `peer`: bpmn-engine 25 driven through the same process shape as the engine figure — a
 * start event, one user task per move of the 6-stage line, an end event — with its state saved to
 * SQLite (better-sqlite3, WAL, synchronous NORMAL, like the store) after every step: the user task
 * is signalled, `engine.getState()` is serialised and written in its own transaction. User steps
 * per second, compared with Stageflow's in-process and HTTP figures of the same run.
 */
import BetterSqlite3 from 'better-sqlite3';
import { Engine } from 'bpmn-engine';
import { freshSqlite } from './databases.ts';
import type { HttpStoreResult } from './http-load.ts';
import type { StoreFigures } from './moves.ts';
import {
  type BenchOptions,
  type BenchSection,
  type Figure,
  fmtInt,
  fmtRatio,
  notMeasured,
  type SectionAnswer,
} from './sections.ts';
import { latency, log, now, perSecond, round3 } from './stats.ts';
import { MOVES_PER_PROCESS } from './workload.ts';

export const IN_PROCESS_GOAL = 100;
export const HTTP_GOAL = 10;

/** A linear chain: start → t1 … tN (user tasks) → end. */
export function chainBpmn(userTasks: number): string {
  const ids = ['start', ...Array.from({ length: userTasks }, (_, i) => `t${i + 1}`), 'end'];
  const tasks = ids
    .slice(1, -1)
    .map((id, i) => `<userTask id="${id}" name="Stage ${i + 1}" />`)
    .join('');
  const flows = ids
    .slice(1)
    .map((id, i) => `<sequenceFlow id="f${i}" sourceRef="${ids[i]}" targetRef="${id}" />`)
    .join('');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="bench" targetNamespace="http://bench">' +
    `<process id="chain" isExecutable="true"><startEvent id="start" />${tasks}<endEvent id="end" />${flows}</process>` +
    '</definitions>'
  );
}

export interface PeerResult {
  readonly engine: string;
  readonly processes: number;
  readonly userStepsPerProcess: number;
  readonly userSteps: number;
  readonly seconds: number;
  readonly userStepsPerSecond: number;
  readonly stepLatencyMs: ReturnType<typeof latency>;
  readonly averageStateBytes: number;
}

export async function benchBpmnEngine(processes: number, warmup: number): Promise<PeerResult> {
  const database = freshSqlite();
  const db = new BetterSqlite3(database.file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec(
      'CREATE TABLE engine_state (id TEXT PRIMARY KEY, state TEXT NOT NULL, updated_at INTEGER NOT NULL)',
    );
    const save = db.prepare(
      'INSERT INTO engine_state (id, state, updated_at) VALUES (?, ?, ?) ' +
        'ON CONFLICT (id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at',
    );
    const source = chainBpmn(MOVES_PER_PROCESS);
    const stepMs: number[] = [];
    let stateBytes = 0;
    const runOne = async (name: string, record: boolean) => {
      const engine = new Engine({ name, source });
      const execution = await engine.execute();
      save.run(name, JSON.stringify(await engine.getState()), Date.now());
      for (let m = 1; m <= MOVES_PER_PROCESS; m++) {
        const t = now();
        execution.signal({ id: `t${m}` });
        const state = JSON.stringify(await engine.getState());
        save.run(name, state, Date.now());
        if (record) {
          stepMs.push(now() - t);
          stateBytes += state.length;
        }
      }
      if (execution.state !== 'idle') throw new Error(`bpmn-engine process ${name} did not end`);
    };
    for (let p = 0; p < warmup; p++) await runOne(`warm-${p}`, false);
    for (let p = 0; p < processes; p++) await runOne(`p-${p}`, true);
    const total = stepMs.reduce((a, b) => a + b, 0);
    return {
      engine: 'bpmn-engine 25, state saved to SQLite per step',
      processes,
      userStepsPerProcess: MOVES_PER_PROCESS,
      userSteps: stepMs.length,
      seconds: round3(total / 1000),
      userStepsPerSecond: perSecond(stepMs.length, total),
      stepLatencyMs: latency(stepMs),
      averageStateBytes: Math.round(stateBytes / Math.max(1, stepMs.length)),
    };
  } finally {
    db.close();
    database.drop();
  }
}

export const peerSection: BenchSection = {
  name: 'peer',
  title: 'Peer: bpmn-engine 25 with its state saved to SQLite per step',
  async run(options: BenchOptions): Promise<SectionAnswer> {
    const processes = options.quick ? 60 : 400;
    const peer = await benchBpmnEngine(processes, options.quick ? 10 : 20);
    log(`peer: bpmn-engine ${peer.userStepsPerSecond} user steps/s`);
    const moves = options.earlier.get('moves')?.data as { sqlite?: StoreFigures } | undefined;
    const http = options.earlier.get('http')?.data as
      | { sqlite?: HttpStoreResult; postgres?: HttpStoreResult }
      | undefined;
    const figures: Figure[] = [];
    const inProcess = moves?.sqlite?.engine?.movesPerSecond;
    const steps = peer.userStepsPerSecond;
    figures.push(
      inProcess === undefined
        ? notMeasured(
            'Stageflow in-process (SQLite) ÷ bpmn-engine 25 (SQLite state per step)',
            `≥ ${IN_PROCESS_GOAL}×`,
            'section moves did not run in this run',
          )
        : {
            figure:
              'Stageflow in-process (SQLite) moves/s ÷ bpmn-engine 25 user steps/s (state to SQLite per step)',
            value: `${fmtInt(inProcess)} ÷ ${fmtInt(steps)} = **${fmtRatio(inProcess / steps)}×**`,
            goal: `≥ ${IN_PROCESS_GOAL}×`,
            comparison: `bpmn-engine 25: ${fmtInt(steps)} user steps/s, same shape (${MOVES_PER_PROCESS} user tasks)`,
            met: inProcess / steps >= IN_PROCESS_GOAL,
          },
    );
    for (const kind of ['sqlite', 'postgres'] as const) {
      const overHttp = http?.[kind]?.stageflow?.movesPerSecond;
      const name = kind === 'sqlite' ? 'SQLite' : 'PostgreSQL';
      const goal = kind === 'sqlite' ? `≥ ${HTTP_GOAL}×` : '—';
      if (overHttp === undefined) {
        if (options.stores.includes(kind))
          figures.push(
            notMeasured(
              `Stageflow over HTTP (${name}) ÷ bpmn-engine 25`,
              goal,
              'section http did not run in this run',
            ),
          );
        continue;
      }
      figures.push({
        figure: `Stageflow over HTTP (${name}, 16 clients) moves/s ÷ bpmn-engine 25 user steps/s`,
        value: `${fmtInt(overHttp)} ÷ ${fmtInt(steps)} = **${fmtRatio(overHttp / steps)}×**`,
        goal,
        comparison: `bpmn-engine 25: ${fmtInt(steps)} user steps/s`,
        met: kind === 'sqlite' ? overHttp / steps >= HTTP_GOAL : null,
      });
    }
    return {
      scale: options.quick ? `${processes} bpmn-engine processes (full: 400)` : '',
      figures,
      data: peer,
    };
  },
};
