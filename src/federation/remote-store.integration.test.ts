import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Document, Note, Person, PropertyValue, PUBLIC_COLLECTION } from '@fedify/vocab';
import { systemClock } from '../lib/clock.ts';
import { startTestServer, type TestServer } from '../testing/test-app.ts';
import { remoteMedia } from './remote-media.ts';
import { remoteStore } from './remote-store.ts';

// What remote servers send is stored as this server's own text is: PostgreSQL's text type cannot hold
// U+0000, so a remote actor or post carrying it must be stored without it rather than fail on one engine.

let server: TestServer;
let store: ReturnType<typeof remoteStore>;

before(async () => {
  server = await startTestServer();
  const { db, search, changes, media, logger } = server.app.services;
  const refuse = () => Promise.reject(new Error('no remote server in this test'));
  store = remoteStore({
    db,
    clock: systemClock,
    search,
    changes,
    publicUrl: server.config.publicUrl,
    media: remoteMedia({ db, clock: systemClock, media, fetch: refuse, changes, logger }),
  });
});
after(() => server.close());

describe('the remote store', () => {
  it('stores actors and posts that carry NUL characters, without them', async () => {
    const actorId = new URL('https://far.example/users/nul');
    const author = await store.saveActor(
      new Person({
        id: actorId,
        preferredUsername: 'nul\0user',
        name: 'Display\0Name',
        summary: '<p>about\0me</p>',
        inbox: new URL('https://far.example/users/nul/inbox'),
        attachments: [new PropertyValue({ name: 'Site\0', value: 'https://far.example/\0' })],
      }),
    );
    assert.equal(author.username, 'nuluser');
    assert.equal(author.display_name, 'DisplayName');
    assert.equal(author.note, '<p>aboutme</p>');
    assert.deepEqual(JSON.parse(author.fields), [{ name: 'Site', value: 'https://far.example/' }]);

    const statusId = await store.savePost(
      new Note({
        id: new URL('https://far.example/notes/1'),
        attribution: actorId,
        to: PUBLIC_COLLECTION,
        content: '<p>hello\0 world</p>',
        summary: 'warn\0ing',
        attachments: [new Document({ url: new URL('https://far.example/a.png'), mediaType: 'image/png', name: 'alt\0text' })],
      }),
      author,
    );
    const status = await server.app.db.read
      .selectFrom('statuses')
      .select(['content', 'spoiler_text'])
      .where('id', '=', statusId)
      .executeTakeFirstOrThrow();
    assert.deepEqual({ ...status }, { content: '<p>hello world</p>', spoiler_text: 'warning' });
    const media = await server.app.db.read
      .selectFrom('media_attachments')
      .select('description')
      .where('status_id', '=', statusId)
      .execute();
    assert.deepEqual(
      media.map((m) => m.description),
      ['alttext'],
    );
  });
});
