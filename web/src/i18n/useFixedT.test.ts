import { describe, expect, it } from 'vitest';
import i18n from './index.ts';
import { fixedT } from './useFixedT.ts';

describe('the shared translate function of long lists', () => {
  it('gives the texts useTranslation gives, in the language asked for, options included', async () => {
    await i18n.changeLanguage('en');
    for (const lng of ['en', 'ru']) {
      const plain = i18n.getFixedT(lng, 'designer');
      const shared = fixedT(lng, 'designer');
      expect(shared('kind.start')).toBe(plain('kind.start'));
      // Asked again (remembered): still the same text.
      expect(shared('kind.start')).toBe(plain('kind.start'));
      for (const count of [1, 2, 5])
        expect(shared('list.problems', { count })).toBe(plain('list.problems', { count }));
    }
    expect(fixedT('ru', 'designer')('kind.start')).not.toBe(fixedT('en', 'designer')('kind.start'));
    expect(fixedT('ru', 'designer')('list.problems', { count: 5 })).not.toBe(
      fixedT('ru', 'designer')('list.problems', { count: 1 }),
    );
  });

  it('is one function per language and namespace', () => {
    expect(fixedT('en', 'designer')).toBe(fixedT('en', 'designer'));
    expect(fixedT('en', 'designer')).not.toBe(fixedT('en', 'common'));
    expect(fixedT('en', 'designer')).not.toBe(fixedT('ru', 'designer'));
  });
});
