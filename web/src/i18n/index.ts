/**
 * English and Russian. Each screen area keeps its strings in its own namespace, one JSON file a
 * language: locales/<language>/<namespace>.json. The namespaces: common (words used on every screen),
 * shell (menu, login, language switcher, notification monitor), designer, journal, card (the process
 * card, its dialogs and tabs, the launch form), crm (clients, orders, projects, documents, employees),
 * tasks, calendar (the business calendar and absences) and heat (the bottleneck overlay on the
 * flowchart). The chosen language is remembered in localStorage.
 */
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';

export const LANGUAGES = ['en', 'ru'] as const;
export type Language = (typeof LANGUAGES)[number];
const STORAGE_KEY = 'stageflow.lang';

/** A namespace's strings: texts, or groups of texts, by key. */
export type Texts = { [key: string]: string | Texts };

const files = import.meta.glob<Texts>('./locales/*/*.json', { eager: true, import: 'default' });

function namespacesOf(lang: Language): Record<string, Texts> {
  const folder = `./locales/${lang}/`;
  return Object.fromEntries(
    Object.entries(files)
      .filter(([file]) => file.startsWith(folder))
      .map(([file, texts]) => [file.slice(folder.length, -'.json'.length), texts]),
  );
}

/** Every namespace's strings by language: `resources.ru.card` is locales/ru/card.json. */
export const resources: Record<Language, Record<string, Texts>> = {
  en: namespacesOf('en'),
  ru: namespacesOf('ru'),
};

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
  resources,
  lng: storedLanguage(),
  fallbackLng: 'en',
  defaultNS: 'common',
  ns: Object.keys(resources.en),
  interpolation: { escapeValue: false },
  returnNull: false,
  // No promotional line in the browser console.
  showSupportNotice: false,
});
if (typeof document !== 'undefined') document.documentElement.lang = i18n.language;

export default i18n;
