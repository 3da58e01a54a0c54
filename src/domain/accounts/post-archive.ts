import { strFromU8, unzipSync } from 'fflate';
import type { Visibility } from '../../storage/db/schema.ts';
import { Invalid } from '../errors.ts';

/** The largest archive a member may upload (a Mastodon archive with its media, or an `outbox.json`). */
export const MAX_ARCHIVE_BYTES = 100 * 1024 * 1024;
/** Posts one archive may bring. */
export const MAX_ARCHIVE_POSTS = 50_000;
/** Media files one post may bring, as a post here may hold. */
const MAX_ATTACHMENTS = 4;

/** One post of an archive, as read from its `Create` activity. */
export interface ArchivedPost {
  readonly originalUri: string;
  readonly text: string;
  readonly spoilerText: string;
  readonly sensitive: boolean;
  readonly visibility: Visibility;
  readonly language: string | null;
  readonly publishedAt: string;
  readonly inReplyTo: string | null;
  /** Its media: a path inside the archive when it holds the file, and the description. */
  readonly attachments: readonly { readonly path: string | null; readonly description: string | null }[];
}

/** An archive read whole: its posts, oldest first, and its files by path. */
export interface Archive {
  readonly posts: readonly ArchivedPost[];
  file(path: string): Uint8Array | undefined;
}

const PUBLIC = new Set(['https://www.w3.org/ns/activitystreams#Public', 'as:Public', 'Public']);
const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04];

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);
const id = (v: unknown): string | null => (typeof v === 'string' ? v : isObject(v) && typeof v.id === 'string' ? v.id : null);

/**
 * Reads an archive of posts: Stoa's `outbox.json` (Settings, Export), or Mastodon's archive (a zip with
 * `outbox.json` and the media files it names), or Mastodon's `outbox.json` alone. Its `Create` activities
 * of notes are the posts; reposts (`Announce`) are left out (they are other people's posts). Refused whole,
 * with a reason, when it is neither.
 */
export function readArchive(bytes: Uint8Array): Archive {
  const invalid = (why: string) =>
    new Invalid(`This is not an archive of posts: ${why}`, { data: [{ error: 'ERR_INVALID', description: why }] });
  let files: Record<string, Uint8Array> = {};
  let outbox: Uint8Array | undefined = bytes;
  if (ZIP_MAGIC.every((b, i) => bytes[i] === b)) {
    try {
      files = unzipSync(bytes, { filter: (f) => f.name === 'outbox.json' || f.name.startsWith('media_attachments/') });
    } catch {
      throw invalid('the zip file cannot be read');
    }
    outbox = files['outbox.json'];
    if (!outbox) throw invalid('the zip file holds no outbox.json');
  }
  let document: unknown;
  try {
    document = JSON.parse(strFromU8(outbox));
  } catch {
    throw invalid('it is neither a zip file nor JSON');
  }
  if (!isObject(document) || !Array.isArray(document.orderedItems)) throw invalid('it holds no orderedItems (an ActivityStreams outbox)');
  const posts = document.orderedItems.flatMap((item) => {
    const post = isObject(item) && item.type === 'Create' && isObject(item.object) ? postOf(item.object) : null;
    return post ? [post] : [];
  });
  if (posts.length > MAX_ARCHIVE_POSTS) throw invalid(`it holds more than ${MAX_ARCHIVE_POSTS} posts`);
  posts.sort((a, b) => a.publishedAt.localeCompare(b.publishedAt));
  return { posts, file: (path) => files[path] };
}

function postOf(note: Json): ArchivedPost | null {
  if (!['Note', 'Article', 'Question'].includes(String(note.type)) || typeof note.id !== 'string') return null;
  const published = typeof note.published === 'string' && !Number.isNaN(Date.parse(note.published)) ? note.published : null;
  if (!published) return null;
  const source =
    isObject(note.source) && typeof note.source.content === 'string' && note.source.mediaType === 'text/plain' ? note.source.content : null;
  const content = typeof note.content === 'string' ? note.content : '';
  const contentMap = isObject(note.contentMap) ? Object.keys(note.contentMap) : [];
  return {
    originalUri: note.id,
    text: source ?? textOf(content),
    spoilerText: typeof note.summary === 'string' ? textOf(note.summary) : '',
    sensitive: note.sensitive === true,
    visibility: visibilityOf(note),
    language: contentMap[0]?.slice(0, 10) ?? null,
    publishedAt: new Date(published).toISOString(),
    inReplyTo: id(note.inReplyTo),
    attachments: list(note.attachment)
      .filter(isObject)
      .slice(0, MAX_ATTACHMENTS)
      .map((a) => {
        const url = id(a.url) ?? (Array.isArray(a.url) ? id(a.url[0]) : null);
        // Mastodon's archive names its files by path from its root; a full URL points at the old server.
        const path = url && url.startsWith('/') ? url.slice(1) : null;
        return { path, description: typeof a.name === 'string' && a.name ? a.name.slice(0, 1500) : null };
      }),
  };
}

/** Stoa's export says it; else from the addressing, as Mastodon does. */
function visibilityOf(note: Json): Visibility {
  if (['public', 'unlisted', 'private', 'direct'].includes(String(note.visibility))) return note.visibility as Visibility;
  const to = list(note.to).map(id);
  const cc = list(note.cc).map(id);
  if (to.some((x) => x !== null && PUBLIC.has(x))) return 'public';
  if (cc.some((x) => x !== null && PUBLIC.has(x))) return 'unlisted';
  if ([...to, ...cc].some((x) => x?.endsWith('/followers'))) return 'private';
  return 'direct';
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/**
 * A post's HTML as the text its author wrote: paragraphs and line breaks kept, links as their text, and a
 * mention link as the full address it names (`@bob@example.org`), so that it is not taken for a local name.
 */
export function textOf(html: string): string {
  return html
    .replace(
      /<a\b[^>]*\bhref="https?:\/\/([^/"]+)\/(?:@|users\/)([A-Za-z0-9_]+)"[^>]*\bclass="[^"]*\bmention\b[^"]*"[^>]*>.*?<\/a>/gi,
      '@$2@$1',
    )
    .replace(
      /<a\b[^>]*\bclass="[^"]*\bmention\b[^"]*"[^>]*\bhref="https?:\/\/([^/"]+)\/(?:@|users\/)([A-Za-z0-9_]+)"[^>]*>.*?<\/a>/gi,
      '@$2@$1',
    )
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/p>\s*<p[^>]*>/gi, '\n\n')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity, name: string) => {
      if (name.startsWith('#x') || name.startsWith('#X')) return String.fromCodePoint(parseInt(name.slice(2), 16));
      if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
      return ENTITIES[name.toLowerCase()] ?? entity;
    })
    .trim();
}
