// Display preferences: kept in this browser (they are not secret), applied to the document at once.
import { isLocale, pickLocale, setLocale, type Locale } from './i18n/index.ts';

export type Theme = 'system' | 'light' | 'dark';
export type MediaDisplay = 'default' | 'show_all' | 'hide_all';

export interface Prefs {
  locale: Locale;
  theme: Theme;
  reducedMotion: boolean;
  mediaDisplay: MediaDisplay;
}

const KEY = 'stoa.prefs';

export function loadPrefs(): Prefs {
  let saved: Partial<Prefs>;
  try {
    saved = JSON.parse(localStorage.getItem(KEY) ?? '{}') as Partial<Prefs>;
  } catch {
    saved = {};
  }
  return {
    locale: isLocale(saved.locale) ? saved.locale : pickLocale(navigator.languages),
    theme: saved.theme === 'light' || saved.theme === 'dark' ? saved.theme : 'system',
    reducedMotion: saved.reducedMotion === true,
    mediaDisplay: saved.mediaDisplay === 'show_all' || saved.mediaDisplay === 'hide_all' ? saved.mediaDisplay : 'default',
  };
}

export function applyPrefs(prefs: Prefs): void {
  setLocale(prefs.locale);
  const root = document.documentElement;
  if (prefs.theme === 'system') delete root.dataset.theme;
  else root.dataset.theme = prefs.theme;
  root.classList.toggle('reduce-motion', prefs.reducedMotion);
}

export function savePrefs(prefs: Prefs): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(prefs));
  } catch {
    // Private browsing may refuse storage: the preferences still hold for this visit.
  }
  applyPrefs(prefs);
}
