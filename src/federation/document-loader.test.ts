import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { preloadedContexts } from '@fedify/vocab-runtime';
import { contextLoader, documentLoader } from './document-loader.ts';
import type { SafeFetch } from './safe-fetch.ts';

/** Remote servers as a table of URL to document (they lie outside this machine). */
function network(documents: Record<string, unknown>): { fetch: SafeFetch; asked: string[] } {
  const asked: string[] = [];
  const fetch = ((input: Request) => {
    asked.push(input.url.split('#')[0]!);
    const document = documents[input.url.split('#')[0]!];
    if (document === undefined) return Promise.resolve(new Response('not found', { status: 404 }));
    return Promise.resolve(Response.json(document, { headers: { 'content-type': 'application/activity+json' } }));
  }) as SafeFetch;
  return { fetch, asked };
}

describe('the document loader', () => {
  it('takes a document found at its own id', async () => {
    const { fetch } = network({ 'https://b.example/users/bo': { id: 'https://b.example/users/bo', type: 'Person' } });
    const loaded = await documentLoader(fetch)('https://b.example/users/bo#main-key');
    assert.equal(loaded.documentUrl, 'https://b.example/users/bo');
    assert.equal((loaded.document as { type: string }).type, 'Person');
  });

  it('fetches a document again at its id when found elsewhere on its server, and takes what is there', async () => {
    const { fetch, asked } = network({
      'https://b.example/@bo': { id: 'https://b.example/users/bo', type: 'Person', name: 'from the page' },
      'https://b.example/users/bo': { id: 'https://b.example/users/bo', type: 'Person', name: 'the real one' },
    });
    const loaded = await documentLoader(fetch)('https://b.example/@bo');
    assert.deepEqual(asked, ['https://b.example/@bo', 'https://b.example/users/bo']);
    assert.equal(loaded.documentUrl, 'https://b.example/users/bo');
    assert.equal((loaded.document as { name: string }).name, 'the real one');
  });

  it('refuses a document that its id does not serve, or whose id is on another server', async () => {
    const { fetch } = network({
      // A user's upload at some URL of the server claims to be the server's admin.
      'https://b.example/media/upload.json': { id: 'https://b.example/users/admin', type: 'Person', name: 'forged' },
      'https://b.example/users/admin': { id: 'https://b.example/users/admin', type: 'Person', name: 'Admin' },
      'https://b.example/elsewhere': { id: 'https://c.example/users/cy', type: 'Person' },
      'https://b.example/users/moved': { id: 'https://b.example/users/other', type: 'Person' },
      'https://b.example/users/other': { id: 'https://b.example/users/third', type: 'Person' },
    });
    const load = documentLoader(fetch);
    // The id is fetched again: what is taken is the admin's own document, not the upload.
    assert.equal(((await load('https://b.example/media/upload.json')).document as { name: string }).name, 'Admin');
    await assert.rejects(load('https://b.example/elsewhere'), /belongs elsewhere/);
    await assert.rejects(load('https://b.example/users/moved'), /not found at its own id/);
  });
});

describe('the context loader', () => {
  it('serves the well-known contexts from memory and reads any other as empty, fetching nothing', async () => {
    const as = 'https://www.w3.org/ns/activitystreams';
    assert.deepEqual((await contextLoader(as)).document, preloadedContexts[as]);
    assert.deepEqual((await contextLoader('https://evil.example/context.jsonld')).document, { '@context': {} });
  });
});
