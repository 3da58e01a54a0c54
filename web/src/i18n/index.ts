// The one i18n layer: every string the app shows comes from a catalog here, and every date and number is
// formatted for the chosen locale. A catalog that misses a key does not type-check.
import { en, type MessageKey, type Messages } from './en.ts';
import { de } from './de.ts';
import { fr } from './fr.ts';

export type { MessageKey };
export { LOCALES, isLocale, pickLocale, type Locale } from './locales.ts';
import { LOCALE_COOKIE, type Locale } from './locales.ts';

const CATALOGS: Record<Locale, Messages> = { en, de, fr };
const RTL_LANGUAGES = new Set(['ar', 'fa', 'he', 'ur', 'ps', 'yi', 'dv', 'ckb']);

let locale: Locale = 'en';
let messages: Messages = en;
let plurals = new Intl.PluralRules('en');

export function setLocale(next: Locale): void {
  locale = next;
  messages = CATALOGS[next];
  plurals = new Intl.PluralRules(next);
  document.documentElement.lang = next;
  // The server's own pages (sign-in, security settings) follow the same choice.
  document.cookie = `${LOCALE_COOKIE}=${next}; Path=/; Max-Age=31536000; SameSite=Lax${location.protocol === 'https:' ? '; Secure' : ''}`;
  document.documentElement.dir = textDirection(next);
}

export function currentLocale(): Locale {
  return locale;
}

/** `rtl` for languages written right to left; the layout uses logical CSS properties throughout. */
export function textDirection(tag: string): 'ltr' | 'rtl' {
  return RTL_LANGUAGES.has(tag.toLowerCase().split('-')[0] ?? '') ? 'rtl' : 'ltr';
}

/** The message for `key`, with `{name}` placeholders filled in. */
export function t(key: MessageKey, vars?: Record<string, string | number>): string {
  const text = messages[key];
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = vars[name];
    return value === undefined ? whole : typeof value === 'number' ? formatNumber(value) : value;
  });
}

/** A counted message: `key_one`, `key_other` (and so on) chosen by the locale's plural rules. */
export function plural(key: string, count: number, vars?: Record<string, string | number>): string {
  const category = plurals.select(count);
  const candidate = `${key}_${category}` as MessageKey;
  const chosen = candidate in messages ? candidate : (`${key}_other` as MessageKey);
  return t(chosen, { count, ...vars });
}

export function formatNumber(value: number): string {
  return new Intl.NumberFormat(locale, value >= 10_000 ? { notation: 'compact', maximumFractionDigits: 1 } : {}).format(value);
}

export function formatDateTime(iso: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

/** "5 min ago" for recent moments, the date for older ones. */
export function formatRelative(iso: string, now = Date.now()): string {
  const seconds = Math.round((Date.parse(iso) - now) / 1000);
  const format = new Intl.RelativeTimeFormat(locale, { numeric: 'auto', style: 'short' });
  const abs = Math.abs(seconds);
  if (abs < 60) return format.format(seconds, 'second');
  if (abs < 3600) return format.format(Math.round(seconds / 60), 'minute');
  if (abs < 86_400) return format.format(Math.round(seconds / 3600), 'hour');
  if (abs < 7 * 86_400) return format.format(Math.round(seconds / 86_400), 'day');
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(new Date(iso));
}
