import i18n, { type TFunction } from 'i18next';
import { useSyncExternalStore } from 'react';

/**
 * One translate function per language and namespace, shared by every component that asks. A text
 * without options (a label, a kind's name) is looked up once and remembered: rows drawn by the
 * hundred ask for the same few texts over and over.
 */
const fixed = new Map<string, TFunction>();

function remembering(lng: string, ns: string): TFunction {
  const t = i18n.getFixedT(lng, ns);
  const texts = new Map<string, string>();
  const remembered = (key: unknown, ...rest: unknown[]) => {
    if (rest.length > 0 || typeof key !== 'string')
      return (t as unknown as (...args: unknown[]) => string)(key, ...rest);
    let text = texts.get(key);
    if (text === undefined) {
      text = t(key);
      if (i18n.isInitialized) texts.set(key, text);
    }
    return text;
  };
  return remembered as unknown as TFunction;
}

function subscribe(onChange: () => void): () => void {
  i18n.on('languageChanged', onChange);
  return () => i18n.off('languageChanged', onChange);
}

const language = () => i18n.language;

/**
 * `useTranslation(ns).t` for components drawn by the hundred (the rows of a long list, the stages
 * of a large flowchart): the same texts, re-rendered on a change of language, without the
 * per-component set-up `useTranslation` does on mount and render.
 */
export function useFixedT(ns: string): TFunction {
  return fixedT(useSyncExternalStore(subscribe, language, language), ns);
}

/** The shared translate function of a language and namespace. */
export function fixedT(lng: string, ns: string): TFunction {
  const key = `${lng}\u0000${ns}`;
  let t = fixed.get(key);
  if (!t) {
    t = remembering(lng, ns);
    fixed.set(key, t);
  }
  return t;
}
