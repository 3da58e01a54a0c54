// The languages Stoa speaks, shared by the web app and the server's pages: one list, one rule for choosing.

/** The languages Stoa is translated into, each named in its own language. */
export const LOCALES = { en: 'English', de: 'Deutsch', fr: 'Français' } as const;
export type Locale = keyof typeof LOCALES;

/** The cookie that carries a member's chosen language to the server's pages. */
export const LOCALE_COOKIE = 'stoa_locale';

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && Object.hasOwn(LOCALES, value);
}

/** The best of our locales for a list of preferred languages (such as `navigator.languages`). */
export function pickLocale(preferred: readonly string[]): Locale {
  for (const tag of preferred) {
    const language = tag.trim().toLowerCase().split('-')[0];
    if (isLocale(language)) return language;
  }
  return 'en';
}
