import type { Config } from '../../config/index.ts';
import type { DbReader } from '../../storage/db/database.ts';

/**
 * A member's data as files to keep or to take to another server: the lists in the CSV shapes Mastodon
 * exports and imports, and the member's own posts (all visibilities: they are the member's) as an
 * ActivityStreams collection.
 */
export type ExportKind =
  'following_accounts.csv' | 'blocked_accounts.csv' | 'muted_accounts.csv' | 'blocked_domains.csv' | 'bookmarks.csv' | 'outbox.json';

export const EXPORT_KINDS: readonly ExportKind[] = [
  'outbox.json',
  'following_accounts.csv',
  'blocked_accounts.csv',
  'muted_accounts.csv',
  'blocked_domains.csv',
  'bookmarks.csv',
];

/** How many rows one query reads; exports read until the end, a page at a time. */
const PAGE = 1000;

/** One CSV field: quoted when it holds a comma, a quote or a line break; a leading formula sign defused. */
function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function csv(rows: readonly (readonly string[])[]): string {
  return rows.map((row) => row.map(csvField).join(',')).join('\n') + (rows.length ? '\n' : '');
}

/** Reads a whole list a page at a time, in id order. */
async function readAll<T extends { id: string }>(page: (after: string) => Promise<T[]>): Promise<T[]> {
  const all: T[] = [];
  for (let after = ''; ;) {
    const rows = await page(after);
    all.push(...rows);
    if (rows.length < PAGE) return all;
    after = rows.at(-1)!.id;
  }
}

/** The file of `kind` for the account: its body and media type. */
export async function exportFile(
  db: DbReader,
  config: Pick<Config, 'domain' | 'media'>,
  accountId: string,
  kind: ExportKind,
): Promise<{ body: string; type: string }> {
  const acct = (username: string, domain: string | null) => `${username}@${domain ?? config.domain}`;
  const text = (body: string) => ({ body, type: 'text/csv; charset=utf-8' });
  switch (kind) {
    case 'following_accounts.csv': {
      const rows = await readAll((after) =>
        db
          .selectFrom('follows')
          .innerJoin('accounts', 'accounts.id', 'follows.target_account_id')
          .select(['follows.id', 'accounts.username', 'accounts.domain', 'follows.show_reblogs', 'follows.notify'])
          .where('follows.account_id', '=', accountId)
          .where('follows.id', '>', after)
          .orderBy('follows.id')
          .limit(PAGE)
          .execute(),
      );
      return text(
        csv([
          ['Account address', 'Show boosts', 'Notify on new posts', 'Languages'],
          ...rows.map((r) => [acct(r.username, r.domain), String(Boolean(r.show_reblogs)), String(Boolean(r.notify)), '']),
        ]),
      );
    }
    case 'blocked_accounts.csv': {
      const rows = await readAll((after) =>
        db
          .selectFrom('blocks')
          .innerJoin('accounts', 'accounts.id', 'blocks.target_account_id')
          .select(['blocks.id', 'accounts.username', 'accounts.domain'])
          .where('blocks.account_id', '=', accountId)
          .where('blocks.id', '>', after)
          .orderBy('blocks.id')
          .limit(PAGE)
          .execute(),
      );
      return text(csv(rows.map((r) => [acct(r.username, r.domain)])));
    }
    case 'muted_accounts.csv': {
      const rows = await readAll((after) =>
        db
          .selectFrom('mutes')
          .innerJoin('accounts', 'accounts.id', 'mutes.target_account_id')
          .select(['mutes.id', 'accounts.username', 'accounts.domain', 'mutes.hide_notifications'])
          .where('mutes.account_id', '=', accountId)
          .where('mutes.id', '>', after)
          .orderBy('mutes.id')
          .limit(PAGE)
          .execute(),
      );
      return text(
        csv([
          ['Account address', 'Hide notifications'],
          ...rows.map((r) => [acct(r.username, r.domain), String(Boolean(r.hide_notifications))]),
        ]),
      );
    }
    case 'blocked_domains.csv': {
      const rows = await readAll((after) =>
        db
          .selectFrom('account_domain_blocks')
          .select(['domain as id'])
          .where('account_id', '=', accountId)
          .where('domain', '>', after)
          .orderBy('domain')
          .limit(PAGE)
          .execute(),
      );
      return text(csv(rows.map((r) => [r.id])));
    }
    case 'bookmarks.csv': {
      const rows = await readAll((after) =>
        db
          .selectFrom('bookmarks')
          .innerJoin('statuses', 'statuses.id', 'bookmarks.status_id')
          .select(['bookmarks.id', 'statuses.uri'])
          .where('bookmarks.account_id', '=', accountId)
          .where('bookmarks.id', '>', after)
          .orderBy('bookmarks.id')
          .limit(PAGE)
          .execute(),
      );
      return text(csv(rows.map((r) => [r.uri])));
    }
    case 'outbox.json':
      return { body: JSON.stringify(await outbox(db, config, accountId), null, 1), type: 'application/activity+json; charset=utf-8' };
  }
}

/** The account's posts and reposts, oldest first, as an ActivityStreams collection of Create and Announce. */
async function outbox(db: DbReader, config: Pick<Config, 'media'>, accountId: string) {
  const author = await db.selectFrom('accounts').select('uri').where('id', '=', accountId).executeTakeFirstOrThrow();
  const statuses = await readAll((after) =>
    db
      .selectFrom('statuses')
      .leftJoin('statuses as parent', 'parent.id', 'statuses.in_reply_to_id')
      .leftJoin('statuses as reblogged', 'reblogged.id', 'statuses.reblog_of_id')
      .leftJoin('statuses as quoted', 'quoted.id', 'statuses.quote_of_id')
      .select([
        'statuses.id',
        'statuses.uri',
        'statuses.url',
        'statuses.text',
        'statuses.content',
        'statuses.spoiler_text',
        'statuses.sensitive',
        'statuses.visibility',
        'statuses.language',
        'statuses.created_at',
        'statuses.edited_at',
        'parent.uri as in_reply_to_uri',
        'reblogged.uri as reblog_of_uri',
        'quoted.uri as quote_of_uri',
      ])
      .where('statuses.account_id', '=', accountId)
      .where('statuses.id', '>', after)
      .orderBy('statuses.id')
      .limit(PAGE)
      .execute(),
  );
  const media = new Map<string, { type: string; url: string | null; name: string | null }[]>();
  for (let i = 0; i < statuses.length; i += PAGE) {
    const ids = statuses.slice(i, i + PAGE).map((s) => s.id);
    const rows = await db
      .selectFrom('media_attachments')
      .select(['status_id', 'type', 'file_key', 'description'])
      .where('status_id', 'in', ids)
      .orderBy('position')
      .execute();
    for (const row of rows) {
      const list = media.get(row.status_id!) ?? [];
      list.push({ type: row.type, url: row.file_key ? `${config.media.baseUrl}/${row.file_key}` : null, name: row.description });
      media.set(row.status_id!, list);
    }
  }
  const items = statuses.map((s) =>
    s.reblog_of_uri
      ? { type: 'Announce', id: `${s.uri}/activity`, actor: author.uri, published: s.created_at, object: s.reblog_of_uri }
      : {
          type: 'Create',
          id: `${s.uri}/activity`,
          actor: author.uri,
          published: s.created_at,
          object: {
            type: 'Note',
            id: s.uri,
            url: s.url ?? s.uri,
            attributedTo: author.uri,
            published: s.created_at,
            ...(s.edited_at ? { updated: s.edited_at } : {}),
            visibility: s.visibility,
            inReplyTo: s.in_reply_to_uri ?? null,
            ...(s.quote_of_uri ? { quote: s.quote_of_uri } : {}),
            summary: s.spoiler_text || null,
            sensitive: Boolean(s.sensitive),
            content: s.content,
            source: { content: s.text, mediaType: 'text/plain' },
            ...(s.language ? { contentMap: { [s.language]: s.content } } : {}),
            attachment: (media.get(s.id) ?? []).map((m) => ({ type: 'Document', mediaType: m.type, url: m.url, name: m.name })),
          },
        },
  );
  return {
    '@context': 'https://www.w3.org/ns/activitystreams',
    id: `${author.uri}/outbox`,
    type: 'OrderedCollection',
    totalItems: items.length,
    orderedItems: items,
  };
}
