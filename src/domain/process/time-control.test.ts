import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { compileDefinition, type DefinitionBody, type Stage } from '../definition/types.ts';
import { escalationTimerKey, type WorkingTime } from './stage-clock.ts';
import { type Effect, launch, type ProcessState, routeTimerKey, type StepContext, step } from './step.ts';

const ZONE = 'Europe/Moscow';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const ANNA = 'anna';
const BORIS = 'boris';
const VERA = 'vera';
const IVAN = 'ivan';
/** Friday 16:00 in Moscow. */
const FRIDAY_4PM = DateTime.fromISO('2026-12-04T16:00', { zone: ZONE }).toMillis();

/**
 * Working time of a Monday–Friday 09:00–18:00 week, minute by minute: slow and obviously right,
 * which is all these tests need of it.
 */
const OFFICE: WorkingTime = {
  add(start, ms) {
    // The moment the last working minute ends (18:00, not the next morning).
    let t = start;
    if (ms === 0) {
      while (!isWorking(t)) t += MINUTE;
      return t;
    }
    let left = ms;
    while (left > 0) {
      if (isWorking(t)) left -= MINUTE;
      t += MINUTE;
    }
    return t;
  },
  between(a, b) {
    let n = 0;
    for (let t = a; t < b; t += MINUTE) if (isWorking(t)) n += MINUTE;
    return n;
  },
};

function isWorking(t: number): boolean {
  const d = DateTime.fromMillis(t, { zone: ZONE });
  return d.weekday <= 5 && d.hour >= 9 && d.hour < 18;
}

function definition(timed: Partial<Stage>, responsibles: string[] = [ANNA, BORIS, VERA]) {
  const body: DefinitionBody = {
    stages: [
      { key: 'start', name: 'Call', kind: 'start', responsibles, ...timed },
      { key: 'next', name: 'Offer', kind: 'normal', responsibles: [ANNA] },
      { key: 'end', name: 'Done', kind: 'end' },
    ],
    transitions: [
      { from: 'start', to: 'next', result: 'ok' },
      { from: 'next', to: 'end', result: 'ok' },
    ],
  };
  return compileDefinition(body);
}

function ctx(
  def: ReturnType<typeof definition>,
  now: number,
  options: Partial<StepContext> = {},
  online: string[] = [ANNA, BORIS, VERA],
): StepContext {
  return {
    now,
    zone: ZONE,
    definition: def,
    isOnline: (id) => online.includes(id),
    working: OFFICE,
    ...options,
  };
}

function timers(effects: readonly Effect[]) {
  return effects.flatMap((e) =>
    e.type === 'timer.set' ? [{ kind: e.kind, key: e.key, dueAt: e.dueAt }] : [],
  );
}

function actions(effects: readonly Effect[]): string[] {
  return effects.flatMap((e) => (e.type === 'protocol' ? [e.action] : []));
}

function iso(ms: number | null): string | null {
  return ms === null ? null : DateTime.fromMillis(ms, { zone: ZONE }).toFormat('ccc yyyy-LL-dd HH:mm');
}

describe('stage deadline', () => {
  it('given 4 working hours entered Friday 16:00 on a 09:00–18:00 week, then it falls due Monday 11:00', () => {
    const def = definition({ deadline: { duration: 'PT4H', working: true } });
    const { process } = launch({ id: 'p', actorId: IVAN, note: '' }, ctx(def, FRIDAY_4PM));
    expect(iso(process.dueAt)).toBe('Mon 2026-12-07 11:00');
  });

  it('given a calendar deadline of one day, then it falls due at the same wall time the next day', () => {
    const def = definition({ deadline: { duration: 'P1D' } });
    const { process } = launch({ id: 'p', actorId: IVAN, note: '' }, ctx(def, FRIDAY_4PM));
    expect(iso(process.dueAt)).toBe('Sat 2026-12-05 16:00');
  });

  it('given a pause, then the clock stops and a resume gives the stage the time it had left', () => {
    const def = definition({ deadline: { duration: 'PT4H', working: true } });
    const { process } = launch({ id: 'p', actorId: IVAN, note: '' }, ctx(def, FRIDAY_4PM));
    // One working hour passes, then a pause over the weekend into Tuesday 10:00.
    const pausedAt = FRIDAY_4PM + HOUR;
    const until = DateTime.fromISO('2026-12-08T10:00', { zone: ZONE }).toMillis();
    const paused = step(process, { type: 'pause', actorId: ANNA, until }, ctx(def, pausedAt));
    expect(paused.process.dueAt).toBeNull();
    expect(paused.process.clock?.since).toBeNull();
    const resumed = step(paused.process, { type: 'resume', actorId: ANNA }, ctx(def, until));
    // Three working hours were left: Tuesday 10:00 + 3 h.
    expect(iso(resumed.process.dueAt)).toBe('Tue 2026-12-08 13:00');
  });

  it('given the stage is finished, then the next stage (without a deadline) has none and its timers are cancelled', () => {
    const def = definition({
      deadline: { duration: 'PT4H', working: true },
      escalation: [{ after: 'PT1H', action: 'notify' }],
    });
    const { process } = launch({ id: 'p', actorId: IVAN, note: '' }, ctx(def, FRIDAY_4PM));
    const done = step(
      process,
      { type: 'stage.finish', actorId: ANNA, result: 'ok' },
      ctx(def, FRIDAY_4PM + MINUTE),
    );
    expect(done.process.dueAt).toBeNull();
    expect(done.process.clock).toBeNull();
    expect(done.effects).toContainEqual({ type: 'timer.cancel', kind: 'escalate' });
  });

  it('given an untimed stage, then pausing and resuming leave the clock fields alone', () => {
    const def = definition({});
    const { process } = launch({ id: 'p', actorId: IVAN, note: '' }, ctx(def, FRIDAY_4PM));
    const paused = step(
      process,
      { type: 'pause', actorId: ANNA, until: FRIDAY_4PM + HOUR },
      ctx(def, FRIDAY_4PM),
    );
    expect(paused.process).toMatchObject({ clock: null, dueAt: null });
    expect(paused.effects.some((e) => e.type === 'timer.cancel' && e.kind === 'escalate')).toBe(false);
  });
});

describe('escalation ladder', () => {
  const ladder = definition({
    escalation: [
      { after: 'PT1H', working: true, action: 'notify', to: 'responsible' },
      { after: 'PT2H', working: true, action: 'reassign', to: 'next_online' },
      { after: 'PT3H', working: true, action: 'notify', to: 'admins' },
    ],
  });

  it('given three steps, then entering sets one timer per step on the working clock', () => {
    const { effects } = launch({ id: 'p', actorId: IVAN, note: '' }, ctx(ladder, FRIDAY_4PM));
    expect(timers(effects).map((t) => [t.key, iso(t.dueAt)])).toEqual([
      [escalationTimerKey('p', 'start', 1, 0), 'Fri 2026-12-04 17:00'],
      [escalationTimerKey('p', 'start', 1, 1), 'Fri 2026-12-04 18:00'],
      [escalationTimerKey('p', 'start', 1, 2), 'Mon 2026-12-07 10:00'],
    ]);
  });

  it('given each step fires, then it notifies, reassigns to the next online, notifies the admins — each once', () => {
    const { process } = launch({ id: 'p', actorId: IVAN, note: '' }, ctx(ladder, FRIDAY_4PM));
    expect(process.responsibleId).toBe(ANNA);
    const one = step(
      process,
      { type: 'escalate', key: escalationTimerKey('p', 'start', 1, 0) },
      ctx(ladder, FRIDAY_4PM + HOUR),
    );
    expect(one.effects).toContainEqual(
      expect.objectContaining({ type: 'notify', employeeId: ANNA, kind: 'stage.escalated' }),
    );
    expect(actions(one.effects)).toEqual(['stage.escalated']);
    const again = step(
      one.process,
      { type: 'escalate', key: escalationTimerKey('p', 'start', 1, 0) },
      ctx(ladder, FRIDAY_4PM + HOUR),
    );
    expect(again.ignored).toBe(true);
    const two = step(
      one.process,
      { type: 'escalate', key: escalationTimerKey('p', 'start', 1, 1) },
      ctx(ladder, FRIDAY_4PM + 2 * HOUR, {}, [VERA]),
    );
    expect(two.process.responsibleId).toBe(VERA);
    expect(two.effects).toContainEqual({ type: 'tasks.reassign', fromId: ANNA, toId: VERA });
    const three = step(
      two.process,
      { type: 'escalate', key: escalationTimerKey('p', 'start', 1, 2) },
      ctx(ladder, FRIDAY_4PM + 3 * HOUR),
    );
    expect(three.effects).toContainEqual(
      expect.objectContaining({ type: 'notify.admins', kind: 'stage.escalated' }),
    );
    expect(three.process.clock?.escalated).toEqual([0, 1, 2]);
  });

  it('given a timer of an earlier visit or a paused process, then it is ignored', () => {
    const { process } = launch({ id: 'p', actorId: IVAN, note: '' }, ctx(ladder, FRIDAY_4PM));
    const stale = step(
      process,
      { type: 'escalate', key: escalationTimerKey('p', 'start', 0, 0) },
      ctx(ladder, FRIDAY_4PM),
    );
    expect(stale.ignored).toBe(true);
    const paused = step(
      process,
      { type: 'pause', actorId: ANNA, until: FRIDAY_4PM + 9 * HOUR },
      ctx(ladder, FRIDAY_4PM),
    );
    expect(paused.effects).toContainEqual({ type: 'timer.cancel', kind: 'escalate' });
    const fired = step(
      paused.process,
      { type: 'escalate', key: escalationTimerKey('p', 'start', 1, 0) },
      ctx(ladder, FRIDAY_4PM + HOUR),
    );
    expect(fired.ignored).toBe(true);
  });

  it('given a resume, then only the steps not yet taken get timers again', () => {
    const { process } = launch({ id: 'p', actorId: IVAN, note: '' }, ctx(ladder, FRIDAY_4PM));
    const one = step(
      process,
      { type: 'escalate', key: escalationTimerKey('p', 'start', 1, 0) },
      ctx(ladder, FRIDAY_4PM + HOUR),
    );
    const paused = step(
      one.process,
      { type: 'pause', actorId: ANNA, until: FRIDAY_4PM + 2 * HOUR },
      ctx(ladder, FRIDAY_4PM + HOUR),
    );
    const resumed = step(
      paused.process,
      { type: 'resume', actorId: null },
      ctx(ladder, FRIDAY_4PM + 2 * HOUR),
    );
    expect(timers(resumed.effects).map((t) => t.key)).toEqual([
      escalationTimerKey('p', 'start', 1, 1),
      escalationTimerKey('p', 'start', 1, 2),
    ]);
  });
});

describe('nobody online', () => {
  const def = definition({});

  it('given nobody listed is online and a window, then the stage waits and sets a fallback timer', () => {
    const { process, effects } = launch(
      { id: 'p', actorId: IVAN, note: '' },
      ctx(def, FRIDAY_4PM, { routingWaitMs: 30 * MINUTE }, []),
    );
    expect(process.responsibleId).toBeNull();
    expect(process.routingUntil).toBe(FRIDAY_4PM + 30 * MINUTE);
    expect(timers(effects)).toContainEqual({
      kind: 'route',
      key: routeTimerKey('p', 'start', 1),
      dueAt: FRIDAY_4PM + 30 * MINUTE,
    });
  });

  it('given a listed responsible comes online, then the stage is theirs and the protocol says why', () => {
    const { process } = launch(
      { id: 'p', actorId: IVAN, note: '' },
      ctx(def, FRIDAY_4PM, { routingWaitMs: 30 * MINUTE }, []),
    );
    const stranger = step(process, { type: 'responsible.online', employeeId: IVAN }, ctx(def, FRIDAY_4PM));
    expect(stranger.ignored).toBe(true);
    const came = step(
      process,
      { type: 'responsible.online', employeeId: BORIS },
      ctx(def, FRIDAY_4PM + MINUTE),
    );
    expect(came.process).toMatchObject({ responsibleId: BORIS, routingUntil: null });
    expect(came.effects).toContainEqual(
      expect.objectContaining({
        type: 'protocol',
        action: 'stage.routed',
        details: expect.objectContaining({ routing: 'came_online' }),
      }),
    );
    expect(came.effects).toContainEqual({ type: 'timer.cancel', kind: 'route' });
  });

  it('given nobody comes online in time, then the stage falls back to the first listed', () => {
    const { process } = launch(
      { id: 'p', actorId: IVAN, note: '' },
      ctx(def, FRIDAY_4PM, { routingWaitMs: 30 * MINUTE }, []),
    );
    const fell = step(
      process,
      { type: 'route.fallback', key: routeTimerKey('p', 'start', 1) },
      ctx(def, FRIDAY_4PM + 30 * MINUTE, {}, []),
    );
    expect(fell.process.responsibleId).toBe(ANNA);
    expect(fell.effects).toContainEqual(
      expect.objectContaining({ details: expect.objectContaining({ routing: 'first_listed_after_wait' }) }),
    );
    const late = step(
      fell.process,
      { type: 'route.fallback', key: routeTimerKey('p', 'start', 1) },
      ctx(def, FRIDAY_4PM + 31 * MINUTE),
    );
    expect(late.ignored).toBe(true);
  });

  it('given no window, then the first listed gets it at once as before', () => {
    const { process } = launch({ id: 'p', actorId: IVAN, note: '' }, ctx(def, FRIDAY_4PM, {}, []));
    expect(process).toMatchObject({ responsibleId: ANNA, routingUntil: null });
  });
});

describe('deputies', () => {
  const def = definition({ task: { title: 'Call back', assignee: { employeeId: ANNA } } });
  const away = (id: string) => (id === ANNA ? VERA : null);

  it('given the routed employee is absent, then the deputy gets the stage acting for them, and their named task too', () => {
    const { process, effects } = launch(
      { id: 'p', actorId: IVAN, note: '' },
      ctx(def, FRIDAY_4PM, { deputyOf: away }),
    );
    expect(process).toMatchObject({ responsibleId: VERA, actingForId: ANNA });
    expect(effects).toContainEqual(expect.objectContaining({ type: 'task.create', assigneeId: VERA }));
    expect(effects).toContainEqual(
      expect.objectContaining({
        action: 'stage.entered',
        details: expect.objectContaining({ actingForId: ANNA }),
      }),
    );
  });

  it('given the absence ends, then the stage goes back to the employee; other employees are not touched', () => {
    const { process } = launch(
      { id: 'p', actorId: IVAN, note: '' },
      ctx(def, FRIDAY_4PM, { deputyOf: away }),
    );
    expect(step(process, { type: 'absence.end', employeeId: BORIS }, ctx(def, FRIDAY_4PM)).ignored).toBe(
      true,
    );
    const back = step(process, { type: 'absence.end', employeeId: ANNA }, ctx(def, FRIDAY_4PM + HOUR));
    expect(back.process).toMatchObject({ responsibleId: ANNA, actingForId: null });
    expect(back.effects).toContainEqual({ type: 'tasks.reassign', fromId: VERA, toId: ANNA });
  });

  it('given an absence starts with open work moving, then the stage moves to the deputy', () => {
    const { process } = launch({ id: 'p', actorId: IVAN, note: '' }, ctx(def, FRIDAY_4PM));
    const moved = step(
      process,
      { type: 'absence.start', employeeId: ANNA, deputyId: VERA },
      ctx(def, FRIDAY_4PM + HOUR),
    );
    expect(moved.process).toMatchObject({ responsibleId: VERA, actingForId: ANNA });
    expect(actions(moved.effects)).toEqual(['responsible.deputized']);
  });

  it('given deputies that point at each other, then routing stops instead of going round', () => {
    const circle = (id: string) => (id === ANNA ? BORIS : id === BORIS ? ANNA : null);
    const { process } = launch(
      { id: 'p', actorId: IVAN, note: '' },
      ctx(def, FRIDAY_4PM, { deputyOf: circle }),
    );
    expect(process).toMatchObject({ responsibleId: BORIS, actingForId: ANNA });
  });

  it('given a manual reassignment, then nobody acts for anyone any more', () => {
    const { process } = launch(
      { id: 'p', actorId: IVAN, note: '' },
      ctx(def, FRIDAY_4PM, { deputyOf: away }),
    );
    const set = step(
      process,
      { type: 'responsible.set', actorId: IVAN, responsibleId: BORIS },
      ctx(def, FRIDAY_4PM),
    );
    expect(set.process).toMatchObject({
      responsibleId: BORIS,
      actingForId: null,
    } satisfies Partial<ProcessState>);
  });
});
