// Deterministic data set for the benchmark, written straight into a migrated SQLite database with
// node:sqlite prepared statements (the app's own schema, token format and search hashing).
import { DatabaseSync } from 'node:sqlite';
import { tokenMinter } from '../../src/domain/auth/token-format.ts';
import { indexedBody, termHasher } from '../../src/domain/statuses/search-index.ts';
import { hashPassword } from '../../src/lib/password-hash.ts';
import { hashToken } from '../../src/lib/secure-token.ts';
import { uuid7 } from '../../src/lib/uuid7.ts';

/** How big the data set is. */
export interface Sizes {
  users: number;
  statuses: number;
}

/** What the scenarios need to know about the generated data. */
export interface Generated {
  /** Follows 2,000 accounts. */
  heavyReader: { id: string; token: string };
  /** Followed by about half of all users. */
  bigAccount: { id: string; token: string; followers: number };
  /** Follows the big account; used to check a new post reaches followers. */
  followerTokens: string[];
  threadRootId: string;
  searchWord: string;
  follows: number;
}

/** A small, seeded PRNG (mulberry32): the same sizes always give the same data. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS =
  'the a of and to in is it you that he was for on are with as his they be at one have this from or had by hot word but what some we can out other were all there when up use your how said an each she which do their time if will way about many then them write would like so these her long make thing see him two has look more day could go come did number sound no most people my over know water than call first who may down side been now find any new work part take get place made live where after back little only round man year came show every good me give our under name very through just form sentence great think say help low line differ turn cause much mean before move right boy old too same tell does set three want air well also play small end put home read hand port large spell add even land here must big high such follow act why ask men change went light kind off need house picture try us again animal point mother world near build self earth father garden river tea bread stoa forum agora'.split(
    ' ',
  );

/** Fills the database at `path` (already migrated) and returns the handles the scenarios use. */
export async function generate(
  path: string,
  secret: string,
  publicUrl: string,
  sizes: Sizes,
  log: (line: string) => void,
): Promise<Generated> {
  const random = prng(42);
  const db = new DatabaseSync(path);
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF; PRAGMA foreign_keys = OFF; PRAGMA cache_size = -200000');
  const now = Date.now();
  const start = now - 90 * 86_400_000;
  const minter = tokenMinter(secret);
  const hashTerm = termHasher(secret);
  const passwordHash = await hashPassword('bench password');
  const iso = (ms: number) => new Date(ms).toISOString();

  // Accounts and users.
  const accountIds: string[] = [];
  const insertAccount = db.prepare(
    'insert into accounts (id, username, domain, uri, url, created_at, updated_at, discoverable) values (?, ?, null, ?, ?, ?, ?, 1)',
  );
  const insertUser = db.prepare(
    "insert into users (account_id, email, password_hash, role, confirmed_at, approved_at, created_at, updated_at) values (?, ?, ?, 'user', ?, ?, ?, ?)",
  );
  db.exec('begin');
  for (let i = 0; i < sizes.users; i++) {
    const created = start - (sizes.users - i) * 1000;
    const id = uuid7(created);
    accountIds.push(id);
    insertAccount.run(id, `user${i}`, `${publicUrl}/users/user${i}`, `${publicUrl}/@user${i}`, iso(created), iso(created));
    insertUser.run(id, `user${i}@bench.example`, passwordHash, iso(created), iso(created), iso(created), iso(created));
  }
  db.exec('commit');
  log(`accounts: ${sizes.users}`);

  // Follows: about half of everyone follows user0; the rest by a Zipf-like popularity; user1 follows 2,000.
  const insertFollow = db.prepare(
    'insert or ignore into follows (id, account_id, target_account_id, show_reblogs, notify, created_at) values (?, ?, ?, 1, 0, ?)',
  );
  const zipf = () => Math.min(sizes.users - 1, Math.floor(Math.pow(random(), 3) * sizes.users));
  let follows = 0;
  db.exec('begin');
  for (let i = 0; i < sizes.users; i++) {
    const follower = accountIds[i]!;
    const targets = new Set<number>();
    if (i !== 0 && random() < 0.5) targets.add(0);
    const wanted = i === 1 ? 2000 : Math.floor(5 + Math.pow(random(), 2) * 150);
    while (targets.size < Math.min(wanted, sizes.users - 1)) {
      const target = i === 1 ? Math.floor(random() * sizes.users) : zipf();
      // user0's followers come only from the coin above: about half of everyone.
      if (target !== i && target !== 0) targets.add(target);
    }
    for (const t of targets) {
      insertFollow.run(uuid7(start), follower, accountIds[t]!, iso(start));
      follows++;
    }
  }
  // The heavy reader follows the big account too, so that its posts reach the reader's home.
  if (Number(insertFollow.run(uuid7(start), accountIds[1]!, accountIds[0]!, iso(start)).changes) > 0) follows++;
  db.exec('commit');
  const bigFollowers = (db.prepare('select count(*) as n from follows where target_account_id = ?').get(accountIds[0]!) as { n: number }).n;
  log(`follows: ${follows} (user0 has ${bigFollowers} followers, user1 follows ${Math.min(2000, sizes.users - 1)})`);

  // Statuses in time order: mostly public posts by a skewed set of authors, some replies and reposts.
  const insertStatus = db.prepare(
    "insert into statuses (id, account_id, uri, url, domain, in_reply_to_id, in_reply_to_account_id, reblog_of_id, text, content, spoiler_text, sensitive, visibility, language, created_at, updated_at, thread_id) values (?, ?, ?, ?, null, ?, ?, ?, ?, ?, '', 0, ?, 'en', ?, ?, ?)",
  );
  // An account reposts a post at most once (a unique index): a repeated draw is skipped.
  const insertRepost = db.prepare(
    "insert or ignore into statuses (id, account_id, uri, url, domain, in_reply_to_id, in_reply_to_account_id, reblog_of_id, text, content, spoiler_text, sensitive, visibility, language, created_at, updated_at, thread_id) values (?, ?, ?, ?, null, ?, ?, ?, ?, ?, '', 0, ?, 'en', ?, ?, ?)",
  );
  const insertRow = db.prepare('insert into status_search_rows (status_id) values (?)');
  const insertFts = db.prepare('insert into statuses_search (rowid, body) values (?, ?)');
  const recent: { id: string; account: string; thread: string }[] = [];
  const span = now - start;

  db.exec('begin');
  for (let n = 0; n < sizes.statuses; n++) {
    const created = start + Math.floor((n / sizes.statuses) * span);
    const id = uuid7(created);
    const authorIndex = random() < 0.02 ? 0 : zipf();
    const author = accountIds[authorIndex]!;
    const roll = random();
    const username = `user${authorIndex}`;
    const uri = `${publicUrl}/users/${username}/statuses/${id}`;
    if (roll < 0.05 && recent.length) {
      const original = recent[Math.floor(random() * recent.length)]!;
      insertRepost.run(id, author, `${uri}/activity`, null, null, null, original.id, '', '', 'public', iso(created), iso(created), null);
      continue;
    }
    const words = Array.from({ length: 8 + Math.floor(random() * 20) }, () => WORDS[Math.floor(Math.pow(random(), 1.5) * WORDS.length)]!);
    if (n % 997 === 0) words.push('zebracorn');
    const text = words.join(' ');
    const parent = roll < 0.15 && recent.length ? recent[Math.floor(random() * recent.length)]! : undefined;
    const visibility = roll > 0.97 ? 'private' : roll > 0.9 ? 'unlisted' : 'public';
    insertStatus.run(
      id,
      author,
      uri,
      `${publicUrl}/@${username}/${id}`,
      parent?.id ?? null,
      parent?.account ?? null,
      null,
      text,
      `<p>${text}</p>`,
      visibility,
      iso(created),
      iso(created),
      parent?.thread ?? id,
    );
    const { lastInsertRowid } = insertRow.run(id);
    insertFts.run(lastInsertRowid, indexedBody(hashTerm, text));
    recent.push({ id, account: author, thread: parent?.thread ?? id });
    if (recent.length > 500) recent.shift();
    if (n % 100_000 === 99_999) {
      db.exec('commit; begin');
      log(`statuses: ${n + 1}`);
    }
  }
  // A thread of 100 replies under one post of user0.
  const rootTime = now - 3_600_000;
  const threadRootId = uuid7(rootTime);
  insertStatus.run(
    threadRootId,
    accountIds[0]!,
    `${publicUrl}/users/user0/statuses/${threadRootId}`,
    null,
    null,
    null,
    null,
    'the root of a long thread',
    '<p>the root of a long thread</p>',
    'public',
    iso(rootTime),
    iso(rootTime),
    threadRootId,
  );
  let parentId = threadRootId;
  for (let r = 0; r < 100; r++) {
    const id = uuid7(rootTime + (r + 1) * 1000);
    const author = accountIds[1 + (r % 50)]!;
    const inReplyTo = r % 3 === 0 ? threadRootId : parentId;
    insertStatus.run(
      id,
      author,
      `${publicUrl}/users/x/statuses/${id}`,
      null,
      inReplyTo,
      accountIds[0]!,
      null,
      `reply ${r}`,
      `<p>reply ${r}</p>`,
      'public',
      iso(rootTime + r * 1000),
      iso(rootTime + r * 1000),
      threadRootId,
    );
    parentId = id;
  }
  // Notifications for user0: favourites and mentions from many accounts.
  const insertNotification = db.prepare(
    "insert into notifications (id, account_id, from_account_id, type, status_id, created_at) values (?, ?, ?, 'follow', null, ?)",
  );
  for (let i = 0; i < 2000; i++)
    insertNotification.run(uuid7(now - (2000 - i) * 1000), accountIds[0]!, accountIds[2 + (i % (sizes.users - 2))]!, iso(now - i * 1000));
  db.exec('commit');
  log(`statuses: ${sizes.statuses} (+ a 100-reply thread), notifications: 2000`);

  // An app and tokens for the accounts the scenarios sign in as.
  const appId = uuid7();
  db.prepare(
    "insert into oauth_apps (id, name, redirect_uris, scopes, client_id, client_secret_hash, created_at) values (?, 'bench', 'urn:ietf:wg:oauth:2.0:oob', 'read write follow', ?, ?, ?)",
  ).run(appId, `bench-${appId}`, hashToken('x'), iso(now));
  const insertToken = db.prepare(
    "insert into oauth_tokens (id, app_id, account_id, token_hash, scopes, expires_at, created_at) values (?, ?, ?, ?, 'read write follow', ?, ?)",
  );
  const tokenFor = (accountId: string) => {
    const token = minter.mint();
    insertToken.run(uuid7(), appId, accountId, hashToken(token), iso(now + 86_400_000), iso(now));
    return token;
  };
  const followerIds = (
    db.prepare('select account_id from follows where target_account_id = ? limit 50').all(accountIds[0]!) as { account_id: string }[]
  ).map((r) => r.account_id);
  const result: Generated = {
    heavyReader: { id: accountIds[1]!, token: tokenFor(accountIds[1]!) },
    bigAccount: { id: accountIds[0]!, token: tokenFor(accountIds[0]!), followers: bigFollowers },
    followerTokens: followerIds.map(tokenFor),
    threadRootId,
    searchWord: 'zebracorn',
    follows,
  };
  // The profile counters the server keeps on write.
  db.exec(`insert into account_stats (account_id, statuses_count, followers_count, following_count, last_status_at)
    select a.id,
      (select count(*) from statuses s where s.account_id = a.id),
      (select count(*) from follows f where f.target_account_id = a.id),
      (select count(*) from follows f where f.account_id = a.id),
      (select max(created_at) from statuses s where s.account_id = a.id)
    from accounts a`);
  db.exec('PRAGMA optimize');
  db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
  db.close();
  return result;
}
