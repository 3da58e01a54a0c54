import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { uuid7 } from '../../lib/uuid7.ts';
import type { Db, DbReader } from '../../storage/db/database.ts';
import { apiActor } from '../actor.ts';
import { Conflict, DomainError, Invalid } from '../errors.ts';
import type { GraphService } from '../graph/graph.service.ts';
import { queueJob, type Job } from '../jobs.ts';
import { parseCsv } from '../moderation/blocklist-csv.ts';
import { readArchive } from './post-archive.ts';
import { findStatusByUri } from '../statuses/statuses.repo.ts';
import type { StatusService } from '../statuses/statuses.service.ts';
import type { RunCommand } from '../unit-of-work.ts';
import { findAccountByHandle, findAccountById, type AccountRow } from './accounts.repo.ts';

/** The lists a member can bring from another server, in the CSV shapes Mastodon exports (and Stoa too). */
export const IMPORT_KINDS = ['following', 'blocks', 'mutes', 'domain_blocks', 'bookmarks'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];

/** Rows one file may hold; the same as the follows one account may make in a day on busy servers. */
export const MAX_IMPORT_ROWS = 5000;

/** One line of an import: an account address, a domain or a post's URL, with its options. */
export interface ImportRow {
  readonly target: string;
  /** following: show their boosts; mutes: hide their notifications. */
  readonly flag?: boolean;
  /** following: notify of their new posts. */
  readonly notify?: boolean;
}

/** An import and how far it got. */
export interface ImportView {
  readonly id: string;
  readonly kind: ImportKind | 'posts';
  readonly total: number;
  readonly processed: number;
  readonly failed: number;
  readonly state: 'queued' | 'done';
  readonly createdAt: string;
}

/** The rows of a CSV text (RFC 4180), without a byte order mark or blank lines. */
export function csvRows(text: string): string[][] {
  return parseCsv(text.replace(/^\uFEFF/, '')).filter((r) => r.some((cell) => cell.trim() !== ''));
}

/** A cell as written: exports defuse a leading formula sign with a quote, which is taken off here. */
const cell = (value: string | undefined) => (value ?? '').trim().replace(/^'(?=[=+\-@\t\r])/, '');
const bool = (value: string | undefined, fallback: boolean) => {
  const v = cell(value).toLowerCase();
  return v === '' ? fallback : v === 'true' || v === '1' || v === 'yes';
};
const ACCT = /^@?([A-Za-z0-9_]+)(?:@([A-Za-z0-9.-]+(?::\d+)?))?$/;
const DOMAIN = /^[a-z0-9.-]+\.[a-z]{2,}$/;

/**
 * The rows of an import file of `kind`, refused whole (naming the first bad line) when a line is not an
 * account address, a domain or a URL as the kind wants, or when the file holds more than `MAX_IMPORT_ROWS`.
 * A header line, as Mastodon writes for follows and mutes, is skipped.
 */
export function parseImport(kind: ImportKind, text: string): ImportRow[] {
  const rows = csvRows(text);
  if (rows.length && /^account address$/i.test(cell(rows[0]![0]))) rows.shift();
  if (rows.length === 0) throw new Invalid('The file holds no rows', { data: [{ error: 'ERR_BLANK', description: 'holds no rows' }] });
  if (rows.length > MAX_IMPORT_ROWS) {
    throw new Invalid(`The file holds more than ${MAX_IMPORT_ROWS} rows`, {
      data: [{ error: 'ERR_TOO_LONG', description: `holds more than ${MAX_IMPORT_ROWS} rows` }],
    });
  }
  return rows.map((row, i) => {
    const target = cell(row[0]);
    const valid =
      kind === 'domain_blocks' ? DOMAIN.test(target.toLowerCase()) : kind === 'bookmarks' ? isWebUrl(target) : ACCT.test(target);
    if (!valid) {
      const want = kind === 'domain_blocks' ? 'a domain' : kind === 'bookmarks' ? 'the URL of a post' : 'an account address';
      throw new Invalid(`Line ${i + 1} is not ${want}`, { data: [{ error: 'ERR_INVALID', description: `line ${i + 1} is not ${want}` }] });
    }
    if (kind === 'following') return { target: target.replace(/^@/, ''), flag: bool(row[1], true), notify: bool(row[2], false) };
    if (kind === 'mutes') return { target: target.replace(/^@/, ''), flag: bool(row[1], true) };
    return { target: kind === 'domain_blocks' ? target.toLowerCase() : target.replace(/^@/, '') };
  });
}

function isWebUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/** What the imports need: the commands a member's own actions go through, and the network's lookups. */
export interface ImportDeps {
  readonly db: Db;
  readonly run: RunCommand;
  readonly graph: GraphService;
  readonly statuses: StatusService;
  /** This server's domain (an address with it is a local account). */
  readonly domain: string;
  /** Where uploaded archives of posts wait for the workers (`<data dir>/imports`). */
  readonly archiveDir: string;
}

/** What applying an archive needs besides the commands: the media pipeline its files go through. */
export interface ArchiveMedia {
  upload(
    accountId: string,
    bytes: Uint8Array,
    edits: { description?: string | null },
    options: { wait: boolean; imported: boolean },
  ): Promise<{ id: string }>;
}

/**
 * Imports of a member's lists from another server: the file is checked and recorded at once, and the rows
 * are applied by the workers (accounts on other servers are looked up there), each through the same
 * command as the member's own follow, block, mute, domain block or bookmark, as merges: nothing the
 * member already has is removed. One import runs at a time per member.
 */
export function accountImports(deps: ImportDeps) {
  const { db, run } = deps;
  const archivePath = (importId: string) => join(deps.archiveDir, `${importId}.archive`);

  /** Records an import and queues its job; refused while another of the member's is still running. */
  const record = (
    account: AccountRow,
    kind: ImportKind | 'posts',
    total: number,
    job: (id: string) => Job,
    before?: (id: string) => Promise<void>,
  ) =>
    run(async (unit) => {
      const running = await unit.tx
        .selectFrom('account_imports')
        .select('id')
        .where('account_id', '=', account.id)
        .where('state', '=', 'queued')
        .executeTakeFirst();
      if (running) throw new Conflict('An import is still running; wait until it is done');
      const id = uuid7(unit.clock());
      await before?.(id);
      await unit.tx
        .insertInto('account_imports')
        .values({ id, account_id: account.id, kind, total, processed: 0, failed: 0, state: 'queued', created_at: unit.now })
        .execute();
      await queueJob(unit, job(id));
      return id;
    });

  /** An import's record and its member, if it is still to be applied. */
  const pending = async (importId: string) => {
    const row = await db.read.selectFrom('account_imports').selectAll().where('id', '=', importId).executeTakeFirst();
    const account = row ? await findAccountById(db.read, row.account_id) : undefined;
    if (!row || row.state !== 'queued' || !account || account.suspended_at) return undefined;
    let processed = Number(row.processed);
    let failed = Number(row.failed);
    const save = (state: 'queued' | 'done') =>
      run((unit) =>
        unit.tx
          .updateTable('account_imports')
          .set({ processed, failed, state, ...(state === 'done' ? { finished_at: unit.now } : {}) })
          .where('id', '=', importId)
          .execute(),
      );
    return {
      row,
      actor: apiActor(account),
      /** Where a retried job starts: the rows done before. */
      processed,
      /** Counts one row; progress is saved every 50 rows and at the end. */
      async count(ok: boolean, last: boolean) {
        processed++;
        if (!ok) failed++;
        if (last) await save('done');
        else if (processed % 50 === 0) await save('queued');
      },
      done: () => save('done'),
    };
  };

  return {
    /** Records an import of `rows` and queues it; refused while another of the member's is still running. */
    start(account: AccountRow, kind: ImportKind, rows: readonly ImportRow[]): Promise<string> {
      return record(account, kind, rows.length, (importId) => ({ kind: 'import', importId, rows }));
    },

    /**
     * Records an archive of posts (checked whole first: `readArchive`), keeps the file for the workers and
     * queues it; refused while another import of the member's is still running.
     */
    async startArchive(account: AccountRow, bytes: Uint8Array): Promise<{ id: string; posts: number }> {
      const { posts } = readArchive(bytes);
      if (posts.length === 0)
        throw new Invalid('The archive holds no posts', { data: [{ error: 'ERR_BLANK', description: 'holds no posts' }] });
      await mkdir(deps.archiveDir, { recursive: true, mode: 0o700 });
      const id = await record(
        account,
        'posts',
        posts.length,
        (importId) => ({ kind: 'import-archive', importId }),
        (importId) => writeFile(archivePath(importId), bytes, { mode: 0o600 }),
      );
      return { id, posts: posts.length };
    },

    /**
     * Brings an archive's posts in as the member's own (the worker's part): oldest first, each with its
     * original date, its media (re-encoded like any upload) and its reply to a post imported before; not
     * told to other servers, notifying nobody. A post that cannot be brought is counted as failed.
     */
    async applyArchive(importId: string, media: ArchiveMedia): Promise<void> {
      const job = await pending(importId);
      if (!job) return;
      let archive;
      try {
        archive = readArchive(await readFile(archivePath(importId)));
      } catch {
        await job.done();
        return;
      }
      const posts = archive.posts.slice(job.processed);
      for (const [i, post] of posts.entries()) {
        let ok = true;
        try {
          const mediaIds: string[] = [];
          for (const attachment of post.attachments) {
            const file = attachment.path ? archive.file(attachment.path) : undefined;
            if (!file) continue;
            const uploaded = await media
              .upload(job.actor.account.id, file, { description: attachment.description }, { wait: true, imported: true })
              .catch((error: unknown) => {
                if (error instanceof DomainError) return null;
                throw error;
              });
            if (uploaded) mediaIds.push(uploaded.id);
          }
          await deps.statuses.importPost(job.actor, {
            originalUri: post.originalUri,
            text: post.text,
            spoilerText: post.spoilerText,
            sensitive: post.sensitive,
            visibility: post.visibility,
            language: post.language,
            publishedAt: post.publishedAt,
            inReplyToOriginalUri: post.inReplyTo,
            mediaIds,
          });
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          ok = false;
        }
        await job.count(ok, i === posts.length - 1);
      }
      if (posts.length === 0) await job.done();
      await rm(archivePath(importId), { force: true });
    },

    /**
     * Applies an import's rows (the worker's part), recording progress as it goes. `resolve` looks an account
     * on another server up by its address. A row that cannot be applied (the account is gone, blocks the
     * member, the post is not visible) is counted as failed; the others go on.
     */
    async apply(importId: string, rows: readonly ImportRow[], resolve: (handle: string) => Promise<unknown>): Promise<void> {
      const job = await pending(importId);
      if (!job) return;
      const { actor } = job;
      const kind = job.row.kind as ImportKind;
      const todo = rows.slice(job.processed);
      for (const [i, row] of todo.entries()) {
        let ok = true;
        try {
          await applyRow(kind, row);
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          ok = false;
        }
        await job.count(ok, i === todo.length - 1);
      }
      if (todo.length === 0) await job.done();

      async function applyRow(kind: ImportKind, row: ImportRow): Promise<void> {
        if (kind === 'domain_blocks') return deps.graph.blockDomain(actor, row.target, true);
        if (kind === 'bookmarks') {
          const status = await findStatusByUri(db.read, row.target);
          if (!status) throw new Invalid('This server does not know the post');
          return deps.statuses.bookmark(actor, status.id, true);
        }
        const target = await accountAt(db.read, row.target, deps.domain, resolve);
        if (!target) throw new Invalid('No such account');
        if (kind === 'following') return deps.graph.follow(actor, target.id, { reblogs: row.flag, notify: row.notify });
        if (kind === 'blocks') return deps.graph.block(actor, target.id);
        return deps.graph.mute(actor, target.id, { notifications: row.flag });
      }
    },
  };
}

/** The member's imports, newest first: what the settings page shows. */
export async function importsOf(read: DbReader, accountId: string): Promise<ImportView[]> {
  const rows = await read
    .selectFrom('account_imports')
    .selectAll()
    .where('account_id', '=', accountId)
    .orderBy('id', 'desc')
    .limit(20)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind as ImportView['kind'],
    total: Number(r.total),
    processed: Number(r.processed),
    failed: Number(r.failed),
    state: r.state as ImportView['state'],
    createdAt: r.created_at,
  }));
}

/** The account at `user@domain` (or a bare local username): stored, or looked up on its server. */
async function accountAt(
  read: DbReader,
  address: string,
  ownDomain: string,
  resolve: (handle: string) => Promise<unknown>,
): Promise<AccountRow | undefined> {
  const [, username, domain] = ACCT.exec(address) ?? [];
  if (!username) return undefined;
  const remote = domain && domain.toLowerCase() !== ownDomain.toLowerCase() ? domain.toLowerCase() : null;
  const known = await findAccountByHandle(read, username, remote);
  if (known || remote === null) return known;
  await resolve(`${username}@${remote}`).catch(() => null);
  return findAccountByHandle(read, username, remote);
}

export type AccountImports = ReturnType<typeof accountImports>;
