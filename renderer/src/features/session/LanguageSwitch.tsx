// The language before anyone signs in (lock screen, first-run setup): shown at once and remembered
// by the workstation; the person who then signs in gets their own language, or keeps this choice as
// theirs if they never made one.
import { useTranslation } from 'react-i18next';
import { LANGUAGES } from '../../i18n';
import { useApp } from '../../stores/app';

export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  return (
    <div className="language-switch" role="group" aria-label={t('lock.language')}>
      {LANGUAGES.map((lng) => (
        <button key={lng} type="button" className={i18n.language === lng ? 'lang-option is-current' : 'lang-option'}
          aria-pressed={i18n.language === lng} lang={lng} onClick={() => useApp.getState().chooseLanguage(lng)}>
          {t(`languages.${lng}`)}
        </button>
      ))}
    </div>
  );
}
