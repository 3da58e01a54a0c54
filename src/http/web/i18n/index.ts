import type { Context } from 'hono';
import { getCookie } from 'hono/cookie';
import { isLocale, LOCALE_COOKIE, pickLocale, type Locale } from '../../../../web/src/i18n/locales.ts';
import { escapeHtml } from '../../../lib/html.ts';
import { SafeHtml } from '../../shared/html.ts';
import type { AppEnv } from '../../shared/app-env.ts';
import { de } from './de.ts';
import { en, type PageMessageKey, type PageMessages } from './en.ts';
import { fr } from './fr.ts';

export type { Locale, PageMessageKey };

const CATALOGS: Record<Locale, PageMessages> = { en, de, fr };

/** The words of the server's pages in one language. */
export interface PageText {
  readonly locale: Locale;
  /** The message for `key` as text, with `{name}` placeholders filled in. */
  readonly t: (key: PageMessageKey, vars?: Record<string, string | number>) => string;
  /** The message as HTML: its text escaped, placeholders filled with the given (escaped or safe) parts. */
  readonly tHtml: (key: PageMessageKey, vars: Record<string, string | SafeHtml>) => SafeHtml;
  /** A number written the locale's way. */
  readonly number: (value: number) => string;
}

/**
 * The language of a page for this request: the member's choice in the web app (a cookie), else the
 * browser's `Accept-Language`, else English. The same list of languages and the same rule as the web app.
 */
export function requestLocale(c: Context<AppEnv>): Locale {
  const chosen = getCookie(c, LOCALE_COOKIE);
  if (isLocale(chosen)) return chosen;
  return pickLocale(acceptedLanguages(c.req.header('accept-language')));
}

/** The languages of an `Accept-Language` header, most wanted first (at most 20 are read). */
export function acceptedLanguages(header: string | undefined): string[] {
  if (!header) return [];
  return header
    .slice(0, 500)
    .split(',')
    .slice(0, 20)
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((l) => l.tag && l.tag !== '*' && l.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index)
    .map((l) => l.tag);
}

/** The page text for a locale. */
export function pageText(locale: Locale): PageText {
  const messages = CATALOGS[locale];
  const numbers = new Intl.NumberFormat(locale);
  const fill = (text: string, vars: Record<string, string | number>) =>
    text.replace(/\{(\w+)\}/g, (whole, name: string) => (vars[name] === undefined ? whole : String(vars[name])));
  return {
    locale,
    t: (key, vars) => (vars ? fill(messages[key], vars) : messages[key]),
    tHtml: (key, vars) => {
      const parts = messages[key].split(/(\{\w+\})/);
      return new SafeHtml(
        parts
          .map((part) => {
            const name = /^\{(\w+)\}$/.exec(part)?.[1];
            const value = name === undefined ? undefined : vars[name];
            if (value === undefined) return escapeHtml(part);
            return value instanceof SafeHtml ? value.value : escapeHtml(value);
          })
          .join(''),
      );
    },
    number: (value) => numbers.format(value),
  };
}

/** The page text for this request's language. */
export function textFor(c: Context<AppEnv>): PageText {
  return pageText(requestLocale(c));
}
