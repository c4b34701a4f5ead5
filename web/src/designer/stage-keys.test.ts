import { describe, expect, it } from 'vitest';
import { slugify, uniqueStageKey } from './stage-keys.ts';

describe('stage keys', () => {
  it('are made from the name, in Latin letters', () => {
    expect(slugify('Call the client')).toBe('call_the_client');
    expect(slugify('Звонок клиенту')).toBe('zvonok_klientu');
    expect(slugify('  Prepare an offer!! ')).toBe('prepare_an_offer');
    expect(slugify('Café')).toBe('cafe');
    expect(slugify('???')).toBe('stage');
    expect(slugify('x'.repeat(200)).length).toBeLessThanOrEqual(40);
  });

  it('are unique among the taken ones', () => {
    expect(uniqueStageKey('Rest', [])).toBe('rest');
    expect(uniqueStageKey('Rest', ['rest'])).toBe('rest_2');
    expect(uniqueStageKey('Rest', ['rest', 'rest_2'])).toBe('rest_3');
  });
});
