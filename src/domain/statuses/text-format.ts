import { escapeHtml } from '../../lib/html.ts';

/** A piece of a post's text: plain text, a link, a mention or a hashtag. */
export type TextToken =
  | { kind: 'text'; value: string }
  | { kind: 'url'; value: string }
  | { kind: 'mention'; value: string; username: string; domain: string | null }
  | { kind: 'hashtag'; value: string; name: string };

const URL_PART = String.raw`https?:\/\/[^\s<>"'\u00a0]+`;
const MENTION_PART = String.raw`@[a-zA-Z0-9_]+(?:@[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)+(?::\d+)?)?`;
const TAG_NAME = String.raw`[\p{L}\p{N}_]*[\p{L}_][\p{L}\p{N}_]*`;
const TAG_PART = `#${TAG_NAME}`;
const WHOLE_TAG_NAME = new RegExp(`^${TAG_NAME}$`, 'u');

/** Longest hashtag name accepted, in characters. */
const MAX_HASHTAG_LENGTH = 100;

/** Whether `name` (without `#`) is a hashtag as posts write them: letters, digits, `_`, not digits only. */
export function isHashtagName(name: string): boolean {
  return name.length <= MAX_HASHTAG_LENGTH && WHOLE_TAG_NAME.test(name);
}
const TOKENS = new RegExp(`(${URL_PART})|(?<![\\p{L}\\p{N}_/@.])(${MENTION_PART})|(?<![\\p{L}\\p{N}_/#&])(${TAG_PART})`, 'gu');

/** Characters a link may end with in a sentence that are not part of it. */
function trimUrl(url: string): string {
  let end = url.length;
  while (end > 0 && /[.,;:!?'")\]]/.test(url[end - 1]!)) {
    const ch = url[end - 1]!;
    if (ch === ')' && (url.slice(0, end).match(/\(/g) ?? []).length >= (url.slice(0, end).match(/\)/g) ?? []).length) break;
    end--;
  }
  return url.slice(0, end);
}

/** Splits plain text into text, links, mentions and hashtags. */
export function tokenize(text: string): TextToken[] {
  const tokens: TextToken[] = [];
  let last = 0;
  const pushText = (value: string) => {
    if (value) tokens.push({ kind: 'text', value });
  };
  for (const match of text.matchAll(TOKENS)) {
    const start = match.index;
    let value = match[0];
    if (match[1]) {
      value = trimUrl(value);
      if (!URL.canParse(value)) continue;
      pushText(text.slice(last, start));
      tokens.push({ kind: 'url', value });
    } else if (match[2]) {
      const [, username = '', domain] = value.split('@');
      pushText(text.slice(last, start));
      tokens.push({ kind: 'mention', value, username, domain: domain?.toLowerCase() ?? null });
    } else {
      if (!isHashtagName(value.slice(1))) continue;
      pushText(text.slice(last, start));
      tokens.push({ kind: 'hashtag', value, name: value.slice(1) });
    }
    last = start + value.length;
  }
  pushText(text.slice(last));
  return tokens;
}

/** How Mastodon counts a post's length: every link as 23 characters, a remote mention by its local part. */
export function countCharacters(text: string, urlLength = 23): number {
  let count = 0;
  for (const token of tokenize(text)) {
    if (token.kind === 'url') count += urlLength;
    else if (token.kind === 'mention') count += [...`@${token.username}`].length;
    else count += [...token.value].length;
  }
  return count;
}

/** What a mention points at, once resolved. */
export interface MentionTarget {
  readonly id: string;
  readonly username: string;
  readonly url: string;
}

/**
 * Renders plain text as Mastodon-style HTML: paragraphs and line breaks, links with a safe `rel`, resolved
 * mentions as h-cards, hashtags linking to their timeline. Everything else is escaped.
 */
export function renderText(
  tokens: readonly TextToken[],
  options: { publicUrl: string; mention: (token: Extract<TextToken, { kind: 'mention' }>) => MentionTarget | undefined },
): string {
  const inline = tokens
    .map((token) => {
      switch (token.kind) {
        case 'text':
          return escapeHtml(token.value);
        case 'url': {
          const shown = token.value.replace(/^https?:\/\/(www\.)?/, '');
          const display = shown.length > 30 ? `${shown.slice(0, 30)}…` : shown;
          return `<a href="${escapeHtml(token.value)}" target="_blank" rel="nofollow noopener noreferrer" translate="no">${escapeHtml(display)}</a>`;
        }
        case 'mention': {
          const target = options.mention(token);
          if (!target) return escapeHtml(token.value);
          return `<span class="h-card" translate="no"><a href="${escapeHtml(target.url)}" class="u-url mention">@<span>${escapeHtml(target.username)}</span></a></span>`;
        }
        case 'hashtag':
          return `<a href="${escapeHtml(options.publicUrl)}/tags/${encodeURIComponent(token.name.toLowerCase())}" class="mention hashtag" rel="tag">#<span>${escapeHtml(token.name)}</span></a>`;
      }
    })
    .join('');
  return inline
    .replace(/\r\n?/g, '\n')
    .trim()
    .split(/\n{2,}/)
    .filter((p) => p.trim())
    .map((p) => `<p>${p.replace(/\n/g, '<br>')}</p>`)
    .join('');
}
