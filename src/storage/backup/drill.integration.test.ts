import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runDrill } from '../../testing/drill.ts';

describe('the drill: a server moved to a new host, engine and domain', () => {
  it('carries every post, media file, profile and follow, and its followers on another server follow it', async () => {
    const steps = await runDrill();
    // Every step ran (each asserts what it must find, and throws otherwise).
    assert.deepEqual(
      steps.map((s) => s.name.replace(/ \(.*\)$/, '')),
      [
        'start A (SQLite) and B',
        'members, posts, media and follows on A and B',
        'online backup of A',
        'A stopped for good',
        'restore on C',
        'stoa domain move',
        'start C under its new domain',
        "B's members follow the new actors",
        'everything carried to C',
        'a new post on C reaches B',
      ],
    );
  });
});
