import { describe, expect, it } from 'vitest';
import type { ProtocolEntry } from '../api/types.ts';
import i18n from '../i18n/index.ts';
import { describeEntry, entryDetails, type ProtocolNames, quoteNote } from './protocolText.ts';

const CHILD = '01a2-child-process-id';
const DEFINITION = '01a2-delivery-definition-id';

const names: ProtocolNames = {
  stage: (key) => ({ delivery: 'Picking and delivery' })[key] ?? key,
  employee: (id) => ({ e1: 'Anna Petrova' })[id] ?? id,
  link: (_type, id) => id,
  definition: (id) => (id === DEFINITION ? 'Delivery of goods' : id),
  process: (id) => (id === CHILD ? 'Delivery of goods (v1)' : 'another process'),
};

function entry(action: string, details: Record<string, unknown>): ProtocolEntry {
  return { id: '1', at: '2026-12-01T11:02:00Z', actor: { id: 'e1', name: 'Anna Petrova' }, action, details };
}

describe('the protocol in words', () => {
  it('says what the note was and what it became', () => {
    const en = i18n.getFixedT('en');
    const ru = i18n.getFixedT('ru');
    const changed = entry('note.changed', { note: 'Call after 5 pm', previous: 'old' });
    expect(describeEntry(en, changed, names)).toBe(
      'Anna Petrova changed the note from “old” to “Call after 5 pm”.',
    );
    expect(describeEntry(ru, changed, names)).toBe(
      'Anna Petrova: заметка изменена с «old» на «Call after 5 pm».',
    );
    expect(describeEntry(en, entry('note.changed', { note: 'First', previous: '' }), names)).toBe(
      'Anna Petrova wrote the note “First”.',
    );
    expect(describeEntry(en, entry('note.changed', { note: '', previous: 'Gone' }), names)).toBe(
      'Anna Petrova cleared the note (it was “Gone”).',
    );
  });

  it('names a child process by its definition, never by its id', () => {
    const en = i18n.getFixedT('en');
    const spawned = entry('child.spawned', {
      childId: CHILD,
      definitionId: DEFINITION,
      stage: 'delivery',
      stageName: 'Picking and delivery',
    });
    expect(describeEntry(en, spawned, names)).toBe(
      'A child process “Delivery of goods” was started at “Picking and delivery”.',
    );
    const shown = entryDetails(en, spawned, names).map(([, value]) => value);
    expect(shown).toContain('Delivery of goods (v1)');
    expect(shown.join(' ')).not.toContain(CHILD);
    expect(shown.join(' ')).not.toContain(DEFINITION);
  });

  it('quotes a note on one line and shortens a long one', () => {
    expect(quoteNote('a\n  b')).toBe('a b');
    expect(quoteNote('x'.repeat(100))).toHaveLength(80);
  });
});
