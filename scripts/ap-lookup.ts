// `npm run ap:lookup -- <url or user@host>`: reads an ActivityPub object the way another implementation
// does (activitystrea.ms, JSON-LD by jsonld.js; no Fedify code), and prints what it found. Point it at
// a Stoa server to check its actors, outboxes and posts: `npm run ap:lookup -- http://127.0.0.1:3000/users/alice`.
import { readActivityStreams } from '../src/testing/activitystreams-reader.ts';

const target = process.argv[2];
if (!target) {
  process.stderr.write('Usage: npm run ap:lookup -- <url | user@host>\n');
  process.exit(64);
}

async function fetchJson(url: string, accept: string): Promise<unknown> {
  const response = await fetch(url, { headers: { accept }, signal: AbortSignal.timeout(15_000) });
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return response.json();
}

let url = target;
const handle = /^@?([^@/]+)@([^@/]+)$/.exec(target);
if (handle) {
  const [, user, host] = handle as unknown as [string, string, string];
  const scheme = /^(127\.|localhost|\[::1\])/.test(host) ? 'http' : 'https';
  const jrd = (await fetchJson(`${scheme}://${host}/.well-known/webfinger?resource=acct:${user}@${host}`, 'application/jrd+json')) as {
    links?: { rel?: string; href?: string }[];
  };
  url = jrd.links?.find((l) => l.rel === 'self')?.href ?? '';
  if (!url) throw new Error(`WebFinger has no actor for ${target}`);
}

const object = await readActivityStreams(await fetchJson(url, 'application/activity+json'));
const lines: [string, string | undefined][] = [
  ['type', object.type],
  ['id', object.id],
  ['name', object.value('name')],
  ['preferredUsername', object.value('preferredUsername')],
  ['inbox', object.value('http://www.w3.org/ns/ldp#inbox')],
  ['outbox', object.value('outbox')],
  ['publicKey', object.value('https://w3id.org/security#publicKey')],
  ['attributedTo', object.value('attributedTo')],
  ['content', object.value('content')],
  ['to', object.values('to').join(', ') || undefined],
  ['totalItems', object.value('totalItems')],
  ['first', object.value('first')],
  ['items', object.values('items').join(', ') || undefined],
];
for (const [name, value] of lines) if (value !== undefined) console.log(`${name.padEnd(18)} ${value}`);
