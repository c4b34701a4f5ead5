import { describe, expect, it } from 'vitest';
import type { Stage } from '../definition/types.ts';
import { type RoutingInput, routeResponsible } from './route-responsible.ts';

function stage(responsibles?: string[]): Stage {
  return { key: 'stage', name: 'Stage', kind: 'normal', responsibles };
}

function route(input: Partial<RoutingInput> & { online?: string[] }) {
  const online = new Set(input.online ?? []);
  return routeResponsible({
    stage: input.stage ?? stage(),
    handPick: input.handPick,
    moverId: input.moverId === undefined ? 'mover' : input.moverId,
    isOnline: input.isOnline ?? ((id) => online.has(id)),
  });
}

describe('routeResponsible', () => {
  it('given a hand pick, then it wins over an online responsible', () => {
    expect(route({ stage: stage(['anna', 'boris']), online: ['anna'], handPick: 'carl' })).toEqual({
      responsibleId: 'carl',
      reason: 'hand_pick',
    });
  });

  it('given a hand pick of someone offline and not listed, then it still wins', () => {
    expect(route({ stage: stage(['anna']), online: ['anna'], handPick: 'zoe' }).responsibleId).toBe('zoe');
  });

  it('given a hand pick and a stage without responsibles, then it wins over the mover', () => {
    expect(route({ handPick: 'carl' })).toEqual({ responsibleId: 'carl', reason: 'hand_pick' });
  });

  it('given no hand pick, then the first online employee in list order gets the stage', () => {
    expect(route({ stage: stage(['anna', 'boris', 'carl']), online: ['carl', 'boris'] })).toEqual({
      responsibleId: 'boris',
      reason: 'first_online',
    });
  });

  it('given the first listed employee is online, then they get the stage', () => {
    expect(route({ stage: stage(['anna', 'boris']), online: ['anna', 'boris'] })).toEqual({
      responsibleId: 'anna',
      reason: 'first_online',
    });
  });

  it('given nobody in the list is online, then the first listed gets it (they find it when back)', () => {
    expect(route({ stage: stage(['anna', 'boris']), online: ['mover', 'carl'] })).toEqual({
      responsibleId: 'anna',
      reason: 'first_listed',
    });
  });

  it('given a stage without responsibles, then the mover gets it', () => {
    expect(route({ online: ['someone'] })).toEqual({ responsibleId: 'mover', reason: 'mover' });
  });

  it('given an empty list of responsibles, then the mover gets it', () => {
    expect(route({ stage: stage([]) })).toEqual({ responsibleId: 'mover', reason: 'mover' });
  });

  it('given no list and no mover (a timer moved the process), then nobody gets it', () => {
    expect(route({ moverId: null })).toEqual({ responsibleId: null, reason: 'none' });
  });

  it('given no mover but a list, then the list still decides', () => {
    expect(route({ stage: stage(['anna']), moverId: null })).toEqual({
      responsibleId: 'anna',
      reason: 'first_listed',
    });
  });

  it('given an empty hand pick, then it counts as no pick', () => {
    expect(route({ stage: stage(['anna']), handPick: '' })).toEqual({
      responsibleId: 'anna',
      reason: 'first_listed',
    });
  });

  it('given a hand pick, then presence is not even asked', () => {
    const asked: string[] = [];
    route({
      stage: stage(['anna']),
      handPick: 'carl',
      isOnline: (id) => {
        asked.push(id);
        return true;
      },
    });
    expect(asked).toEqual([]);
  });

  it('given an online employee early in the list, then presence of later ones is not asked', () => {
    const asked: string[] = [];
    route({
      stage: stage(['anna', 'boris', 'carl']),
      isOnline: (id) => {
        asked.push(id);
        return id === 'boris';
      },
    });
    expect(asked).toEqual(['anna', 'boris']);
  });
});
