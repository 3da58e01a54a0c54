import type { Clock } from '../../lib/clock.ts';
import type { Change, Changes } from '../changes.ts';

/** What a cached page depends on: if any of it changes, the page is dropped. */
export interface HomeDependencies {
  /** Statuses shown (with reposted and quoted ones): their content, counters or existence. */
  readonly statusIds: Iterable<string>;
  /** Accounts shown (authors, mentioned accounts): their profile and counters. */
  readonly accountIds: Iterable<string>;
  /** Accounts whose new posts belong in this timeline: the followed accounts and the viewer. */
  readonly authors: Iterable<string>;
  /** Hashtags the viewer follows (lower case). */
  readonly tags: Iterable<string>;
  /** When the page stops being right on its own (a temporary mute ends), in ms. */
  readonly validUntil: number;
}

/** A page as it was sent: the body and its `Link` header. */
export interface CachedPage {
  /** The JSON body, already encoded: a hit writes these bytes as they are. */
  readonly body: Uint8Array<ArrayBuffer>;
  readonly link: string | null;
}

interface ViewerRecord {
  readonly pages: Map<string, CachedPage & { readonly expiresAt: number; readonly size: number }>;
  readonly indexed: { statuses: Set<string>; accounts: Set<string>; authors: Set<string>; tags: Set<string> };
  bytes: number;
}

/** Cache statistics, for the benchmark and the tests. */
export interface HomeCacheStats {
  hits: number;
  misses: number;
  viewers: number;
  bytes: number;
}

export interface HomeCache {
  get(viewerId: string, key: string): CachedPage | null;
  /** Call before reading what a page is built from; `put` refuses the page if anything changed since. */
  begin(): number;
  put(ticket: number, viewerId: string, key: string, page: CachedPage, dependencies: HomeDependencies): void;
  clear(): void;
  stats(): HomeCacheStats;
}

/** Pages also expire on their own after this long, in case a change was made outside this process. */
const MAX_AGE_MS = 60_000;
const PAGES_PER_VIEWER = 8;
/** A rough cost of remembering one dependency, in bytes. */
const DEPENDENCY_BYTES = 80;

/**
 * The home timeline pages recently sent, kept in this process and dropped as soon as a change could
 * alter them (see docs/adr/0008): a new post by a followed account or with a followed hashtag, a change
 * to a shown status or account, or any change to the viewer's own relationships and marks. Bounded in
 * bytes, least recently used first out. Only for a server that is the only one writing its database.
 */
export function homeCache(options: { maxBytes: number; clock: Clock; changes: Changes }): HomeCache {
  const { maxBytes, clock } = options;
  const viewers = new Map<string, ViewerRecord>();
  const index = {
    statuses: new Map<string, Set<string>>(),
    accounts: new Map<string, Set<string>>(),
    authors: new Map<string, Set<string>>(),
    tags: new Map<string, Set<string>>(),
  };
  let epoch = 0;
  let bytes = 0;
  const stats = { hits: 0, misses: 0 };

  const unindex = (map: Map<string, Set<string>>, ids: Set<string>, viewerId: string) => {
    for (const id of ids) {
      const set = map.get(id);
      if (!set) continue;
      set.delete(viewerId);
      if (set.size === 0) map.delete(id);
    }
  };
  const drop = (viewerId: string) => {
    const record = viewers.get(viewerId);
    if (!record) return;
    viewers.delete(viewerId);
    bytes -= record.bytes;
    for (const kind of ['statuses', 'accounts', 'authors', 'tags'] as const) unindex(index[kind], record.indexed[kind], viewerId);
  };
  const dropAll = (ids: Iterable<string> | undefined) => {
    for (const viewerId of [...(ids ?? [])]) drop(viewerId);
  };
  const dropIndexed = (map: Map<string, Set<string>>, ids: readonly string[]) => {
    for (const id of ids) dropAll(map.get(id));
  };

  const onChange = (change: Change) => {
    epoch += 1;
    switch (change.kind) {
      case 'status-posted':
        dropAll(index.authors.get(change.authorId));
        dropIndexed(
          index.tags,
          change.tags.map((t) => t.toLowerCase()),
        );
        dropAll(index.statuses.get(change.statusId));
        break;
      case 'statuses':
        dropIndexed(index.statuses, change.ids);
        break;
      case 'accounts':
        dropIndexed(index.accounts, change.ids);
        break;
      case 'viewers':
        for (const id of change.ids) drop(id);
        break;
      case 'everything':
        for (const id of [...viewers.keys()]) drop(id);
        break;
    }
  };
  options.changes.subscribe((batch) => batch.forEach(onChange));

  return {
    get(viewerId, key) {
      const record = viewers.get(viewerId);
      const page = record?.pages.get(key);
      if (!record || !page || page.expiresAt <= clock()) {
        stats.misses += 1;
        return null;
      }
      // Least recently used last out: a hit moves the viewer to the end.
      viewers.delete(viewerId);
      viewers.set(viewerId, record);
      stats.hits += 1;
      return page;
    },
    begin: () => epoch,
    put(ticket, viewerId, key, page, dependencies) {
      if (ticket !== epoch || maxBytes <= 0) return;
      let record = viewers.get(viewerId);
      if (!record) {
        record = { pages: new Map(), indexed: { statuses: new Set(), accounts: new Set(), authors: new Set(), tags: new Set() }, bytes: 0 };
        viewers.set(viewerId, record);
      }
      const add = (kind: keyof typeof index, ids: Iterable<string>) => {
        for (const id of ids) {
          if (record.indexed[kind].has(id)) continue;
          record.indexed[kind].add(id);
          let set = index[kind].get(id);
          if (!set) index[kind].set(id, (set = new Set()));
          set.add(viewerId);
          record.bytes += DEPENDENCY_BYTES;
          bytes += DEPENDENCY_BYTES;
        }
      };
      add('statuses', dependencies.statusIds);
      add('accounts', dependencies.accountIds);
      add('authors', dependencies.authors);
      add(
        'tags',
        [...dependencies.tags].map((t) => t.toLowerCase()),
      );
      const evict = (k: string) => {
        const old = record.pages.get(k);
        if (!old) return;
        record.pages.delete(k);
        record.bytes -= old.size;
        bytes -= old.size;
      };
      evict(key);
      if (record.pages.size >= PAGES_PER_VIEWER) evict(record.pages.keys().next().value!);
      const size = page.body.byteLength + key.length;
      record.pages.set(key, { ...page, size, expiresAt: Math.min(clock() + MAX_AGE_MS, dependencies.validUntil) });
      record.bytes += size;
      bytes += size;
      for (const oldest of viewers.keys()) {
        if (bytes <= maxBytes || oldest === viewerId) break;
        drop(oldest);
      }
    },
    clear() {
      for (const id of [...viewers.keys()]) drop(id);
    },
    stats: () => ({ ...stats, viewers: viewers.size, bytes }),
  };
}
