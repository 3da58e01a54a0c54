import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Document, Note, Person, PropertyValue, PUBLIC_COLLECTION } from '@fedify/vocab';
import { remoteActor } from '../domain/actor.ts';
import { startTestServer, type TestServer } from '../testing/test-app.ts';
import { postOf, profileOf } from './remote-objects.ts';
import { row, rows } from '../testing/rows.ts';

// What remote servers send is stored as this server's own text is: PostgreSQL's text type cannot hold
// U+0000, so a remote actor or post carrying it must be stored without it rather than fail on one engine.

let server: TestServer;

before(async () => {
  server = await startTestServer();
});
after(() => server.close());

describe('remote objects, as mapped and kept by the domain commands', () => {
  it('stores actors and posts that carry NUL characters, without them', async () => {
    const actorId = new URL('https://far.example/users/nul');
    const { accounts, statuses } = server.app.services.commands;
    const profile = await profileOf(
      new Person({
        id: actorId,
        preferredUsername: 'nul\0user',
        name: 'Display\0Name',
        summary: '<p>about\0me</p>',
        inbox: new URL('https://far.example/users/nul/inbox'),
        attachments: [new PropertyValue({ name: 'Site\0', value: 'https://far.example/\0' })],
      }),
    );
    const author = await accounts.saveRemote(profile);
    assert.equal(author.username, 'nuluser');
    assert.equal(author.display_name, 'DisplayName');
    assert.equal(author.note, '<p>aboutme</p>');
    assert.deepEqual(JSON.parse(author.fields), [{ name: 'Site', value: 'https://far.example/' }]);

    const note = await postOf(
      new Note({
        id: new URL('https://far.example/notes/1'),
        attribution: actorId,
        to: PUBLIC_COLLECTION,
        content: '<p>hello\0 world</p>',
        summary: 'warn\0ing',
        attachments: [new Document({ url: new URL('https://far.example/a.png'), mediaType: 'image/png', name: 'alt\0text' })],
      }),
      author.followers_url,
      { fetched: true },
    );
    const statusId = (await statuses.create(remoteActor(author), note))!;
    const status = await row(server.app.db, 'statuses', { id: statusId });
    assert.deepEqual(
      { content: status?.content, spoiler_text: status?.spoiler_text },
      { content: '<p>hello world</p>', spoiler_text: 'warning' },
    );
    const media = await rows(server.app.db, 'media_attachments', { status_id: statusId });
    assert.deepEqual(
      media.map((m) => m.description),
      ['alttext'],
    );
  });
});
