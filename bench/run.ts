/**
 * `npm run bench` (full, under 30 minutes) and `npm run bench -- --quick` (scaled down, under 5):
 * runs the sections below in order, prints one JSON document to stdout (progress goes to stderr),
 * writes bench/results/<section>.json and regenerates docs/BENCHMARKS.md from all result files.
 *
 * Sections:
 *   moves   engine moves in-process vs the minimal and the own-schema SQL floor (moves.ts)
 *   http    the stage route on a real server under 16 keep-alive clients vs a do-nothing server (http-load.ts)
 *   peer    bpmn-engine 25 with its state saved to SQLite per step, vs moves and http of this run (peer.ts)
 *   timers  a burst of due timers among sleeping processes on a real server (timers.ts)
 *   journal journal queries over a million processes, when bench/journal.ts exists (OPTIONAL_SECTIONS)
 *   migration 10,000 running processes moved to a definition's next version, dry run and applied (migration.ts)
 *   web     the designer and the journal in Chromium (web.ts)
 *
 * Options: --quick, --sections=moves,http (or --only moves,http, or BENCH_SECTIONS; a name that matches none only
 * re-renders the table), --stores=sqlite (or BENCH_STORES), --profile (the servers of `http` and
 * `timers` run under `node --cpu-prof` and their results say where the busy time went; their
 * figures then carry the profiler's cost). BENCH_SERVER_LOG=<file> keeps what those servers print.
 * PostgreSQL databases are created fresh on BENCH_PG_URL / TEST_PG_URL
 * (default postgres://postgres@127.0.0.1:5432/test) and dropped afterwards. Hand-written notes
 * per section (what a profile showed, what would close a missed goal) live in bench/notes/<section>.md
 * and are rendered under the section.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { httpSection } from './http-load.ts';
import { movesSection } from './moves.ts';
import { peerSection } from './peer.ts';
import { RUN_BUDGET_SECONDS, readResults, writeMarkdown } from './report.ts';
import type { BenchSection, SectionAnswer, SectionResult, StoreKind } from './sections.ts';
import { log, round3 } from './stats.ts';
import { timersSection } from './timers.ts';
import { webSection } from './web.ts';

const BENCH_DIR = import.meta.dirname;
const RESULTS_DIR = path.join(BENCH_DIR, 'results');
const MARKDOWN = path.join(BENCH_DIR, '..', 'docs', 'BENCHMARKS.md');

/** The sections, in the order they run; `peer` reads the answers of `moves` and `http`. */
const SECTIONS: BenchSection[] = [movesSection, httpSection, peerSection, timersSection];

/**
 * Sections in files that may not exist yet; each runs after the built-in ones and before `web`.
 * The module exports either a BenchSection (sections.ts) as `section` or default, or the function
 * named by `entry`, called with `{quick, stores}` and answering a SectionAnswer. Adding a section
 * is adding one line here.
 */
const OPTIONAL_SECTIONS: readonly { file: string; name: string; title: string; entry: string }[] = [
  {
    file: 'journal.ts',
    name: 'journal',
    title: 'Journal: every filter, sort, text search and the counts, per API call',
    entry: 'journalBench',
  },
  {
    file: 'analytics.ts',
    name: 'analytics',
    title: 'Stage analytics of one definition over a year',
    entry: 'analyticsBench',
  },
  {
    file: 'escalations.ts',
    name: 'escalations',
    title: 'Escalations due at once among processes with deadlines',
    entry: 'escalationsSection',
  },
  {
    file: 'migration.ts',
    name: 'migration',
    title: 'Migrating the running processes of a definition to its next version',
    entry: 'migrationSection',
  },
];

const LAST_SECTIONS: BenchSection[] = [webSection];

function argument(name: string): string | undefined {
  const prefix = `--${name}=`;
  return process.argv.find((a) => a.startsWith(prefix))?.slice(prefix.length);
}

async function optionalSections(): Promise<BenchSection[]> {
  const found: BenchSection[] = [];
  for (const optional of OPTIONAL_SECTIONS) {
    const full = path.join(BENCH_DIR, optional.file);
    if (!existsSync(full)) {
      log(`${optional.file} is not there; section ${optional.name} is skipped`);
      continue;
    }
    const module = (await import(full)) as Record<string, unknown>;
    const section = (module.section ?? module.default ?? module[optional.entry]) as BenchSection | undefined;
    if (section && typeof section.run === 'function') {
      found.push(section);
      continue;
    }
    const entry = module[optional.entry];
    if (typeof entry !== 'function')
      throw new Error(`${optional.file} exports neither a BenchSection nor ${optional.entry}()`);
    found.push({
      name: optional.name,
      title: optional.title,
      run: ({ quick, stores }) => (entry as (o: object) => Promise<SectionAnswer>)({ quick, stores }),
    });
  }
  return found;
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const stores = (argument('stores') ?? process.env.BENCH_STORES ?? 'sqlite,postgres')
    .split(',')
    .map((s) => s.trim())
    .filter((s): s is StoreKind => s === 'sqlite' || s === 'postgres');
  const all = [...SECTIONS, ...(await optionalSections()), ...LAST_SECTIONS];
  const onlyAt = process.argv.indexOf('--only');
  const wanted =
    argument('sections') ??
    argument('only') ??
    (onlyAt >= 0 ? process.argv[onlyAt + 1] : undefined) ??
    process.env.BENCH_SECTIONS;
  const chosen = wanted ? new Set(wanted.split(',').map((s) => s.trim())) : undefined;
  const sections = chosen ? all.filter((s) => chosen.has(s.name)) : all;

  const started = new Date();
  const cpus = os.cpus();
  const machine = {
    cpuCount: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    totalMemoryGiB: Math.round(os.totalmem() / 2 ** 30),
  };
  log(
    `${quick ? 'quick' : 'full'} run of ${sections.map((s) => s.name).join(', ')} on ${stores.join(', ')}; ` +
      `${machine.cpuCount} CPUs, Node ${machine.node}`,
  );
  mkdirSync(RESULTS_DIR, { recursive: true });
  const earlier = new Map<string, SectionResult>();
  for (const section of sections) {
    const t = performance.now();
    const loadAtStart = round3(os.loadavg()[0] ?? 0);
    log(`section ${section.name}: ${section.title} (load average ${loadAtStart})`);
    let answer: SectionAnswer;
    try {
      answer = await section.run({ quick, stores, earlier });
    } catch (error) {
      log(
        `section ${section.name} failed: ${error instanceof Error ? (error.stack ?? error.message) : error}`,
      );
      process.exitCode = 1;
      answer = {
        figures: [
          {
            figure: section.title,
            value: 'failed',
            goal: '—',
            comparison: '—',
            met: false,
            note: String(error).slice(0, 500),
          },
        ],
        data: { error: String(error) },
      };
    }
    const result: SectionResult = {
      section: section.name,
      title: section.title,
      quick,
      runStarted: started.toISOString(),
      seconds: round3((performance.now() - t) / 1000),
      scale: answer.scale ?? '',
      loadAverage: { start: loadAtStart, end: round3(os.loadavg()[0] ?? 0) },
      figures: answer.figures,
      data: answer.data,
    };
    earlier.set(section.name, result);
    writeFileSync(path.join(RESULTS_DIR, `${section.name}.json`), `${JSON.stringify(result, null, 2)}\n`);
    log(`section ${section.name}: ${result.seconds} s`);
  }
  writeMarkdown(MARKDOWN, readResults(RESULTS_DIR), { ...machine, date: new Date().toISOString() });
  const wallSeconds = round3((Date.now() - started.getTime()) / 1000);
  log(`done in ${wallSeconds} s; results in ${RESULTS_DIR}, table in ${MARKDOWN}`);
  const budget = RUN_BUDGET_SECONDS[quick ? 'quick' : 'full'];
  if (sections.length === all.length && wallSeconds > budget) {
    log(
      `over budget: a ${quick ? 'quick' : 'full'} run must finish within ${budget} s, this one took ${wallSeconds} s`,
    );
    process.exitCode = 1;
  }
  const report = {
    benchmark: 'stageflow: the goals table of docs/BENCHMARKS.md, measured in one run',
    meta: { date: started.toISOString(), quick, stores, ...machine, wallSeconds },
    sections: Object.fromEntries(earlier),
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

await main();
