// i18next: Vietnamese by default, English available from the user menu. The Vietnamese domain
// labels come from common/domain (one source of truth with the core); the rest from vi.json.
import i18n from 'i18next';
import { UI_LANGUAGES, type UiLanguage } from '../../../common/contract';
import { initReactI18next } from 'react-i18next';
import {
  DEADLINE_FILTER_LABELS, DOCUMENT_TYPES, INCOMING_STATUS_LABELS, ROLE_LABELS, SECRECY_LABELS, URGENCY_LABELS,
} from '../../../common/domain';
import en from './en.json';
import vi from './vi.json';

export const LANGUAGES = UI_LANGUAGES;
export type Language = UiLanguage;
/** The workstation's last-used language: what the lock screen shows before anyone signs in. */
const STORAGE_KEY = 'securedesk.language';

const viDomain = {
  secrecy: SECRECY_LABELS,
  urgency: URGENCY_LABELS,
  role: ROLE_LABELS,
  status: INCOMING_STATUS_LABELS,
  deadline: DEADLINE_FILTER_LABELS,
  docType: Object.fromEntries(DOCUMENT_TYPES.map((t) => [t.code, t.name])),
};

function storedLanguage(): Language {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    return v === 'en' ? 'en' : 'vi';
  } catch {
    return 'vi';
  }
}

void i18n.use(initReactI18next).init({
  resources: {
    vi: { translation: { ...vi, domain: viDomain } },
    en: { translation: en },
  },
  lng: storedLanguage(),
  fallbackLng: 'vi',
  supportedLngs: [...LANGUAGES],
  interpolation: { escapeValue: false },
  returnNull: false,
  initAsync: false,
});

document.documentElement.lang = i18n.language;
i18n.on('languageChanged', (lng) => {
  document.documentElement.lang = lng;
});

/** Shows the UI in `lng` and remembers it as the workstation's last-used language. */
export function applyLanguage(lng: Language): void {
  try {
    localStorage.setItem(STORAGE_KEY, lng);
  } catch {
    /* the choice simply is not remembered */
  }
  void i18n.changeLanguage(lng);
}

export const currentLanguage = (): Language => (i18n.language === 'en' ? 'en' : 'vi');

export default i18n;
