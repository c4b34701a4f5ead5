import { useTranslation } from 'react-i18next';
import { LANGUAGES, setLanguage } from '../i18n/index.ts';

/** EN | RU: switches the app's language (and remembers it); the current one is pressed. */
export function LanguageSwitcher() {
  const { t, i18n } = useTranslation('shell');
  return (
    <fieldset className="lang-switch" aria-label={t('language')}>
      {LANGUAGES.map((lang) => (
        <button
          key={lang}
          type="button"
          className={i18n.language === lang ? 'active' : ''}
          aria-pressed={i18n.language === lang}
          onClick={() => setLanguage(lang)}
        >
          {lang.toUpperCase()}
        </button>
      ))}
    </fieldset>
  );
}
