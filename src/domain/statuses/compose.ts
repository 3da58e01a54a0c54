import type { DbReader } from '../../storage/db/database.ts';
import { findAccountByHandle } from '../accounts/accounts.repo.ts';
import { Invalid } from '../errors.ts';
import { countCharacters, renderText, tokenize, type MentionTarget, type TextToken } from './text-format.ts';

/** What a local author writes: the words of a new status, or of an edit. */
export interface StatusText {
  readonly text: string;
  readonly spoilerText?: string | undefined;
  /** Uploads to attach, in order; a status with attachments may have no text. */
  readonly mediaIds?: readonly string[] | undefined;
}

/** A local text made ready to store: rendered, with its mentions resolved and its hashtags. */
export interface ComposedText {
  readonly text: string;
  readonly spoilerText: string;
  readonly content: string;
  /** Accounts mentioned that this server knows. */
  readonly mentions: readonly string[];
  readonly tags: readonly string[];
  /** Remote handles (`user@host`) mentioned that this server does not know yet. */
  readonly unknownHandles: readonly string[];
}

const MAX_MENTIONS = 50;

type MentionToken = Extract<TextToken, { kind: 'mention' }>;

/**
 * Checks and renders a local author's text: the length limit (links count 23), mentions of local accounts
 * and of remote ones already known linked, hashtags collected. Nothing is fetched from other servers.
 * Without `validate`, a stored text is rendered again (once mentioned accounts are known).
 */
export async function composeText(
  db: DbReader,
  input: StatusText,
  options: { domain: string; publicUrl: string; maxCharacters: number; validate?: boolean },
): Promise<ComposedText> {
  const text = input.text.replace(/\r\n?/g, '\n');
  const spoilerText = (input.spoilerText ?? '').trim();
  const validate = options.validate ?? true;
  if (validate && !text.trim() && !input.mediaIds?.length) {
    throw new Invalid('Validation failed', { status: [{ error: 'ERR_BLANK', description: "can't be blank" }] });
  }
  if (validate && countCharacters(text) + [...spoilerText].length > options.maxCharacters) {
    throw new Invalid('Validation failed', {
      status: [{ error: 'ERR_TOO_LONG', description: `is too long (maximum is ${options.maxCharacters} characters)` }],
    });
  }
  const tokens = tokenize(text);
  const domainOf = (t: MentionToken) => (t.domain === null || t.domain.toLowerCase() === options.domain ? null : t.domain.toLowerCase());
  const keyOf = (t: MentionToken) => `${t.username.toLowerCase()}@${domainOf(t) ?? ''}`;
  const targets = new Map<string, MentionTarget & { id: string }>();
  const unknown = new Set<string>();
  for (const token of tokens.filter((t): t is MentionToken => t.kind === 'mention').slice(0, MAX_MENTIONS)) {
    const key = keyOf(token);
    if (targets.has(key) || unknown.has(key)) continue;
    const domain = domainOf(token);
    const account = await findAccountByHandle(db, token.username, domain);
    if (account && account.suspended_at === null)
      targets.set(key, { id: account.id, username: account.username, url: account.url ?? account.uri });
    else if (!account && domain !== null) unknown.add(key);
  }
  const content = renderText(tokens, { publicUrl: options.publicUrl, mention: (t) => targets.get(keyOf(t)) });
  const tags = tokens.filter((t): t is Extract<TextToken, { kind: 'hashtag' }> => t.kind === 'hashtag').map((t) => t.name);
  return {
    text,
    spoilerText,
    content,
    mentions: [...new Set([...targets.values()].map((t) => t.id))],
    tags,
    unknownHandles: [...unknown],
  };
}
