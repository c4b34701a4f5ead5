/**
 * English and Russian. Each screen area keeps its strings in its own namespace file; the chosen
 * language is remembered in localStorage.
 */
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import calendar from './calendar.ts';
import card from './card.ts';
import common from './common.ts';
import crm from './crm.ts';
import designer from './designer.ts';
import heat from './heat.ts';
import journal from './journal.ts';
import shell from './shell.ts';
import tasks from './tasks.ts';

export const LANGUAGES = ['en', 'ru'] as const;
export type Language = (typeof LANGUAGES)[number];
const STORAGE_KEY = 'stageflow.lang';

const areas = { common, shell, designer, journal, card, crm, tasks, calendar, heat };

function resources(lang: Language) {
  return Object.fromEntries(Object.entries(areas).map(([ns, texts]) => [ns, texts[lang]]));
}

export function storedLanguage(): Language {
  const saved = typeof localStorage === 'undefined' ? null : localStorage.getItem(STORAGE_KEY);
  if (saved === 'en' || saved === 'ru') return saved;
  return typeof navigator !== 'undefined' && navigator.language.toLowerCase().startsWith('ru') ? 'ru' : 'en';
}

export function setLanguage(lang: Language): void {
  localStorage.setItem(STORAGE_KEY, lang);
  document.documentElement.lang = lang;
  void i18n.changeLanguage(lang);
}

void i18n.use(initReactI18next).init({
  resources: { en: resources('en'), ru: resources('ru') },
  lng: storedLanguage(),
  fallbackLng: 'en',
  defaultNS: 'common',
  ns: Object.keys(areas),
  interpolation: { escapeValue: false },
  returnNull: false,
  // No promotional line in the browser console.
  showSupportNotice: false,
});
if (typeof document !== 'undefined') document.documentElement.lang = i18n.language;

export default i18n;
