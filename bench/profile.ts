/**
 * Reads V8 CPU profiles (`.cpuprofile`, as `node --cpu-prof` writes them) and says where the
 * busy time went: the share of self time per place (a package under node_modules, a folder of
 * src/, Node's own code, garbage collection) and the hottest functions. Idle time is left out.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { round3 } from './stats.ts';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { functionName: string; url: string; lineNumber: number };
  readonly hitCount?: number;
}

interface CpuProfile {
  readonly nodes: ProfileNode[];
  readonly samples: number[];
  readonly timeDeltas: number[];
}

export interface ProfileSummary {
  readonly file: string;
  readonly busyMs: number;
  /** Share of busy self time per place, largest first. */
  readonly places: { readonly place: string; readonly share: number }[];
  /** The functions with the most self time, largest first. */
  readonly functions: { readonly fn: string; readonly share: number }[];
}

function placeOf(url: string, functionName: string): string {
  if (functionName === '(garbage collector)') return 'garbage collection';
  if (functionName === '(program)') return 'V8 and native (program)';
  if (!url) return `native ${functionName || '(anonymous)'}`;
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1]!;
  const own = /\/(src|bench)\/(?:([^/]+)\/)?/.exec(url);
  if (own) return own[2] && !own[2].includes('.') ? `${own[1]}/${own[2]}` : own[1]!;
  if (url.startsWith('node:')) return 'node internals';
  return url;
}

/** A source address without the checkout's path: `src/store/sqlite.ts`, `node_modules/kysely/…`. */
function shortUrl(url: string): string {
  const at = url.search(/\/(node_modules|src|bench)\//);
  return at === -1 ? url : url.slice(at + 1);
}

export function summariseProfile(file: string, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfMs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  }
  const places = new Map<string, number>();
  const functions = new Map<string, number>();
  let busy = 0;
  for (const [id, ms] of selfMs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === '(idle)') continue;
    busy += ms;
    const place = placeOf(url, functionName);
    places.set(place, (places.get(place) ?? 0) + ms);
    const where = url ? `${shortUrl(url)}:${lineNumber + 1}` : place;
    const fn = `${functionName || '(anonymous)'} ${where}`;
    functions.set(fn, (functions.get(fn) ?? 0) + ms);
  }
  const ranked = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, ms]) => [k, round3(ms / Math.max(busy, 1e-9))] as const);
  return {
    file,
    busyMs: Math.round(busy),
    places: ranked(places).map(([place, share]) => ({ place, share })),
    functions: ranked(functions).map(([fn, share]) => ({ fn, share })),
  };
}

/** The busiest profile in `dir` (the server, not the tsx launcher that waits for it). */
export function busiestProfile(dir: string): ProfileSummary | undefined {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  const summaries = files.map((f) => summariseProfile(path.join(dir, f)));
  return summaries.sort((a, b) => b.busyMs - a.busyMs)[0];
}
