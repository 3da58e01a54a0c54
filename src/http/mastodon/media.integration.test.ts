import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { createTestAccounts, type TestAccount } from '../../testing/accounts.ts';
import {
  mediaToolsMissing,
  animatedGif,
  audioWithTags,
  webmWithTags,
  avifWithExif,
  heicWithExif,
  jpegWithLeaks,
  leakedValues,
  pngWithText,
  probeTags,
  readBytes,
  readTags,
  videoWithLeaks,
} from '../../testing/media-fixtures.ts';
import { startTestServer, type TestServer } from '../../testing/test-app.ts';
import { until } from '../../testing/until.ts';
import { startTestS3, type TestS3 } from '../../testing/s3-server.ts';
import { findAccountById } from '../../domain/accounts/accounts.repo.ts';
import { cliActor } from '../../domain/actor.ts';
import { rows } from '../../testing/rows.ts';

// Without exiftool and ffmpeg (Debian's packages) the fixtures cannot be made: the suite says so and skips.
const skip = mediaToolsMissing() ?? false;
const fixtures = mkdtempSync(join(tmpdir(), 'stoa-media-fixtures-'));
after(() => rmSync(fixtures, { recursive: true, force: true }));

/** Tags that would place or identify the person who made a file. */
const IDENTIFYING = /GPS|Make|Model|Creator|Author|Comment|Artist|Location|XMP|Software|Serial|Lens|DateTimeOriginal/i;

function blob(bytes: Uint8Array, type = 'application/octet-stream') {
  return new Blob([bytes], { type });
}

/** The test server answers on a loopback port, not at its public name: media URLs are reached there. */
let base = '';
const here = (url: string) => `${base}${new URL(url).pathname}`;

async function download(url: string): Promise<{ bytes: Uint8Array; response: Response }> {
  const response = await fetch(here(url));
  assert.equal(response.status, 200, `GET ${url}`);
  return { bytes: new Uint8Array(await response.arrayBuffer()), response };
}

/** Writes served bytes to a file and asserts that neither exiftool nor a byte search finds a leak. */
function assertClean(bytes: Uint8Array, name: string) {
  assert.deepEqual(leakedValues(bytes), [], `${name}: a leaked value is in the bytes`);
  const path = join(fixtures, `served-${Date.now()}-${name}`);
  writeFileSync(path, bytes);
  const found = Object.entries(readTags(path)).filter(
    ([key]) => IDENTIFYING.test(key) && !/^(File|System|ExifTool|Composite:ImageSize|Composite:Megapixels)/.test(key),
  );
  assert.deepEqual(found, [], `${name}: identifying tags remain`);
  return path;
}

async function upload(
  account: TestAccount,
  server: TestServer,
  bytes: Uint8Array,
  name: string,
  type = 'image/jpeg',
  version: 'v1' | 'v2' = 'v1',
) {
  const form = new FormData();
  form.set('file', blob(bytes, type), name);
  return fetch(`${server.url}/api/${version}/media`, { method: 'POST', headers: { authorization: `Bearer ${account.token}` }, body: form });
}

describe('media uploads', { skip }, () => {
  let server: TestServer;
  let ann: TestAccount;
  let bob: TestAccount;
  before(async () => {
    // With the workers: files of deleted media are removed by a job, right after the deletion commits.
    server = await startTestServer({}, { workers: true });
    base = server.url;
    [ann, bob] = (await createTestAccounts(server, ['ann', 'bob'])) as [TestAccount, TestAccount];
  });
  const stored = () => server.app.services.blobs.list();
  after(() => server.close());

  it('re-encodes a photo: orientation applied, GPS, make, model and XMP gone from the stored and served bytes', async () => {
    const original = await jpegWithLeaks(fixtures);
    assert.ok(leakedValues(readBytes(original)).length >= 3, 'the fixture carries the leaks');
    const media = await ann.client.v2.media.create({ file: blob(readBytes(original), 'image/jpeg'), description: 'A test card' });
    assert.equal(media.type, 'image');
    assert.equal(media.description, 'A test card');
    assert.ok(media.blurhash && media.blurhash.length >= 6);
    const meta = media.meta as unknown as {
      original: { width: number; height: number };
      small: { width: number; height: number };
      focus: { x: number; y: number };
    };
    assert.deepEqual([meta.original.width, meta.original.height], [600, 800], 'turned as the EXIF orientation says');
    assert.ok(meta.small.width <= 640 && meta.small.height <= 640);
    const served = await download(media.url!);
    assert.equal(served.response.headers.get('content-type'), 'image/jpeg');
    assert.equal(served.response.headers.get('x-content-type-options'), 'nosniff');
    assert.match(served.response.headers.get('content-security-policy') ?? '', /sandbox/);
    assert.match(served.response.headers.get('cache-control') ?? '', /max-age=31536000/);
    assertClean(served.bytes, 'photo.jpg');
    assertClean((await download(media.previewUrl)).bytes, 'photo-preview.webp');
    // What is stored is what is served: every file in the media folder is clean too.
    const stored = (await server.app.services.blobs.list()).map((key) => readBytes(join(server.config.dataDir, 'media', key)));
    assert.ok(stored.length >= 2);
    for (const [i, bytes] of stored.entries()) assertClean(bytes, `stored-${i}`);
  });

  it('drops PNG text chunks, and AVIF and HEIC metadata', async () => {
    const png = await ann.client.v2.media.create({ file: blob(readBytes(await pngWithText(fixtures)), 'image/png') });
    const pngBytes = (await download(png.url!)).bytes;
    assertClean(pngBytes, 'drawing');
    assert.equal((await sharp(pngBytes).metadata()).hasAlpha, true, 'transparency is kept');

    const avifPath = await avifWithExif(fixtures);
    assert.equal(readTags(avifPath)['EXIF:Make'], 'LeakyMakeCo');
    const avif = await ann.client.v2.media.create({ file: blob(readBytes(avifPath), 'image/avif') });
    assertClean((await download(avif.url!)).bytes, 'picture');

    const heicPath = await heicWithExif(fixtures);
    if (heicPath) {
      const heic = await ann.client.v2.media.create({ file: blob(readBytes(heicPath), 'image/heic') });
      const bytes = (await download(heic.url!)).bytes;
      assertClean(bytes, 'photo-heic');
      assert.deepEqual([(await sharp(bytes).metadata()).width, (await sharp(bytes).metadata()).height], [256, 192]);
    }
  });

  it('transcodes MP4 and MOV without location atoms or device tags, with a preview frame, served in ranges', async () => {
    for (const container of ['mp4', 'mov'] as const) {
      const original = videoWithLeaks(fixtures, container);
      assert.ok(leakedValues(readBytes(original)).includes('+48.8584+002.2945'), 'the fixture carries a location atom');
      const res = await upload(
        ann,
        server,
        readBytes(original),
        `clip.${container}`,
        container === 'mp4' ? 'video/mp4' : 'video/quicktime',
        'v2',
      );
      assert.equal(res.status, 202);
      const accepted = (await res.json()) as { id: string; url: string | null };
      assert.equal(accepted.url, null, 'not ready yet');
      await server.app.services.media.idle();
      const ready = await fetch(`${server.url}/api/v1/media/${accepted.id}`, { headers: { authorization: `Bearer ${ann.token}` } });
      assert.equal(ready.status, 200);
      const media = (await ready.json()) as {
        type: string;
        url: string;
        preview_url: string;
        meta: { original: { duration: number; width: number; height: number } };
      };
      assert.equal(media.type, 'video');
      assert.ok(Math.abs(media.meta.original.duration - 2) < 0.3);
      assert.deepEqual([media.meta.original.width, media.meta.original.height], [320, 240]);
      const served = await download(media.url);
      assert.equal(served.response.headers.get('content-type'), 'video/mp4');
      const path = assertClean(served.bytes, `clip-${container}.mp4`);
      const probe = probeTags(path);
      const tags = { ...probe.format.tags, ...Object.assign({}, ...probe.streams.map((s) => s.tags ?? {})) } as Record<string, string>;
      assert.deepEqual(
        Object.keys(tags).filter((k) => /location|make|model|artist|creation_time|xyz|date|comment/i.test(k)),
        [],
      );
      // The only encoder named is the server's own, without a version.
      assert.ok(!tags.encoder || /^Lavc libx264$/.test(tags.encoder), tags.encoder);
      assert.deepEqual(probe.streams.map((s) => s.codec_type).sort(), ['audio', 'video']);
      assertClean((await download(media.preview_url)).bytes, `clip-${container}-preview`);

      const part = await fetch(here(media.url), { headers: { range: 'bytes=0-99' } });
      assert.equal(part.status, 206);
      assert.equal(part.headers.get('content-range'), `bytes 0-99/${served.bytes.byteLength}`);
      assert.deepEqual(new Uint8Array(await part.arrayBuffer()), served.bytes.subarray(0, 100));
      const tail = await fetch(here(media.url), { headers: { range: 'bytes=-10' } });
      assert.deepEqual(new Uint8Array(await tail.arrayBuffer()), served.bytes.subarray(served.bytes.byteLength - 10));
      assert.equal((await fetch(here(media.url), { headers: { range: `bytes=${served.bytes.byteLength}-` } })).status, 416);
    }
  });

  it('keeps an animated GIF moving (as animated WebP) and cleans WebM, MP3 and OGG files', async () => {
    const gif = await ann.client.v2.media.create({ file: blob(readBytes(animatedGif(fixtures)), 'image/gif') });
    const gifBytes = (await download(gif.url!)).bytes;
    assertClean(gifBytes, 'moving');
    const animation = await sharp(gifBytes, { animated: true }).metadata();
    assert.equal(animation.format, 'webp');
    assert.equal(animation.pages, 5);

    const webm = await ann.client.v2.media.create({ file: blob(readBytes(webmWithTags(fixtures)), 'video/webm') });
    assert.equal(webm.type, 'video');
    const webmPath = assertClean((await download(webm.url!)).bytes, 'clip-webm.mp4');
    assert.deepEqual(
      probeTags(webmPath)
        .streams.map((s) => s.codec_type)
        .sort(),
      ['audio', 'video'],
    );

    for (const container of ['mp3', 'ogg'] as const) {
      const original = audioWithTags(fixtures, container);
      assert.ok(leakedValues(readBytes(original)).length > 0, 'the fixture carries tags');
      const audio = await ann.client.v2.media.create({ file: blob(readBytes(original), container === 'mp3' ? 'audio/mpeg' : 'audio/ogg') });
      assert.equal(audio.type, 'audio');
      assert.equal(audio.previewUrl, null);
      const served = await download(audio.url!);
      assert.equal(served.response.headers.get('content-type'), 'audio/mpeg');
      const path = assertClean(served.bytes, `sound-${container}.mp3`);
      const probe = probeTags(path);
      assert.deepEqual(
        Object.keys({ ...probe.format.tags }).filter((k) => /artist|comment|encoded_by/i.test(k)),
        [],
      );
      assert.ok(Math.abs((audio.meta as unknown as { original: { duration: number } }).original.duration - 2) < 0.2);
    }
  });

  it('cleans a polyglot by re-encoding it, and refuses JSON, HTML and SVG whatever they are called', async () => {
    const jpeg = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#123456' } })
      .jpeg()
      .toBuffer();
    const payload = '<html><script>alert("polyglot")</script>{"@context":"https://www.w3.org/ns/activitystreams","type":"Note"}</html>';
    const polyglot = new Uint8Array(Buffer.concat([jpeg, Buffer.from(payload)]));
    const media = await ann.client.v2.media.create({ file: blob(polyglot, 'image/jpeg') });
    const bytes = (await download(media.url!)).bytes;
    assert.ok(!Buffer.from(bytes).includes('polyglot'));
    assert.ok(!Buffer.from(bytes).includes('activitystreams'));

    const disguised: [string, string][] = [
      ['{"@context":"https://www.w3.org/ns/activitystreams","type":"Person","id":"https://evil.example/x"}', 'evil.jpg'],
      ['<!DOCTYPE html><html><body><script>alert(1)</script></body></html>', 'page.png'],
      ['<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', 'image.gif'],
    ];
    for (const [text, name] of disguised) {
      const res = await upload(ann, server, new TextEncoder().encode(text), name);
      assert.equal(res.status, 422, name);
      const body = (await res.json()) as { error: string };
      assert.match(body.error, /not a supported image, video or audio file/);
    }
  });

  it('refuses a 100-megapixel PNG of a few KB before decoding it', async () => {
    const bomb = await sharp({ create: { width: 10_000, height: 10_000, channels: 3, background: '#000000' } })
      .png({ palette: true, colours: 2, compressionLevel: 9 })
      .toBuffer();
    assert.ok(bomb.byteLength < 50_000, `the bomb is small (${bomb.byteLength} bytes)`);
    const before = process.memoryUsage().rss;
    const res = await upload(ann, server, new Uint8Array(bomb), 'bomb.png', 'image/png');
    const grew = process.memoryUsage().rss - before;
    assert.equal(res.status, 422);
    assert.match(((await res.json()) as { error: string }).error, /too large/);
    // Decoding would need 300 MB for the pixels in RGB.
    assert.ok(grew < 60 * 1024 * 1024, `memory grew by ${Math.round(grew / 1024 / 1024)} MB`);
  });

  it('attaches up to four images to a status, shows them, and keeps other accounts out of them', async () => {
    const images: Awaited<ReturnType<typeof ann.client.v1.media.create>>[] = [];
    for (let i = 0; i < 5; i++)
      images.push(
        await ann.client.v1.media.create({
          file: blob(
            new Uint8Array(
              await sharp({ create: { width: 40 + i, height: 30, channels: 3, background: '#00ff00' } })
                .png()
                .toBuffer(),
            ),
            'image/png',
          ),
          description: `image ${i}`,
        }),
      );
    await assert.rejects(ann.client.v1.statuses.create({ status: 'five', mediaIds: images.map((m) => m.id) }), /at most 4/);
    await assert.rejects(bob.client.v1.statuses.create({ status: 'not mine', mediaIds: [images[0]!.id] }), /not one of your/);
    assert.equal(
      (await fetch(`${server.url}/api/v1/media/${images[0]!.id}`, { headers: { authorization: `Bearer ${bob.token}` } })).status,
      404,
    );
    const status = await ann.client.v1.statuses.create({ status: '', mediaIds: images.slice(0, 4).map((m) => m.id) });
    assert.deepEqual(
      status.mediaAttachments.map((m) => m.description),
      ['image 0', 'image 1', 'image 2', 'image 3'],
    );
    await assert.rejects(ann.client.v1.statuses.create({ status: 'again', mediaIds: [images[0]!.id] }), /not one of your unattached/);
    const onlyMedia = await bob.client.v1.accounts.$select(ann.id).statuses.list({ onlyMedia: true });
    assert.ok(onlyMedia.some((s) => s.id === status.id));
    const edited = await ann.client.v1.media.$select(images[4]!.id).update({ description: 'described later', focus: '0.5,-0.25' });
    assert.equal(edited.description, 'described later');
    assert.deepEqual(edited.meta?.focus, { x: 0.5, y: -0.25 });
    const bad = await fetch(`${server.url}/api/v1/media/${images[4]!.id}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ann.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ focus: '3,0' }),
    });
    assert.equal(bad.status, 422);
    const tooLong = await fetch(`${server.url}/api/v1/media/${images[4]!.id}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${ann.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ description: 'x'.repeat(1501) }),
    });
    assert.equal(tooLong.status, 422);

    // An attached file cannot be deleted on its own; an unattached one can, files included.
    const attachedDelete = await fetch(`${server.url}/api/v1/media/${images[0]!.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${ann.token}` },
    });
    assert.equal(attachedDelete.status, 422);
    const keyOf = (url: string) => new URL(url).pathname.slice('/media/'.length);
    const unattachedDelete = await fetch(`${server.url}/api/v1/media/${images[4]!.id}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${ann.token}` },
    });
    assert.equal(unattachedDelete.status, 200);
    await until('the unattached file gone', async () => !(await stored()).includes(keyOf(images[4]!.url!)));

    // An edit that drops a file deletes it; the kept ones stay in their new order.
    const edited2 = await ann.client.v1.statuses.$select(status.id).update({ status: 'fewer', mediaIds: [images[2]!.id, images[0]!.id] });
    assert.deepEqual(
      edited2.mediaAttachments.map((m) => m.id),
      [images[2]!.id, images[0]!.id],
    );
    const left = await until('the dropped files gone', async () => {
      const keys = await stored();
      return !keys.includes(keyOf(images[1]!.url!)) && !keys.includes(keyOf(images[3]!.url!)) && keys;
    });
    assert.ok(left.includes(keyOf(images[0]!.url!)));
  });

  it('deletes the files with their status, and answers 404 for the media and its URLs afterwards', async () => {
    const media = await ann.client.v1.media.create({ file: blob(readBytes(await jpegWithLeaks(fixtures)), 'image/jpeg') });
    const status = await ann.client.v1.statuses.create({ status: 'with a photo', mediaIds: [media.id] });
    const keys = [media.url!, media.previewUrl].map((u) => new URL(u).pathname.slice('/media/'.length));
    const listed = await server.app.services.blobs.list();
    for (const key of keys) assert.ok(listed.includes(key));
    await ann.client.v1.statuses.$select(status.id).remove();
    await until('the files gone from the media folder', async () => {
      const left = await stored();
      return keys.every((key) => !left.includes(key));
    });
    assert.deepEqual(
      readdirSync(join(server.config.dataDir, 'media'), { recursive: true }).filter((f) =>
        keys.some((k) => String(f).endsWith(k.split('/').pop()!)),
      ),
      [],
    );
    assert.equal(
      (await fetch(`${server.url}/api/v1/media/${media.id}`, { headers: { authorization: `Bearer ${ann.token}` } })).status,
      404,
    );
    assert.equal((await fetch(here(media.url!))).status, 404);
    assert.equal((await fetch(here(media.previewUrl))).status, 404);
    await until('nothing left to remove', async () => (await rows(server.app.db, 'blob_deletions')).length === 0);
  });

  it('re-encodes avatars and headers to their shapes, and removes the old file when replaced', async () => {
    const form = new FormData();
    form.set('avatar', blob(readBytes(await jpegWithLeaks(fixtures)), 'image/jpeg'), 'me.jpg');
    form.set('header', blob(readBytes(await pngWithText(fixtures)), 'image/png'), 'banner.png');
    const res = await fetch(`${server.url}/api/v1/accounts/update_credentials`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${bob.token}` },
      body: form,
    });
    assert.equal(res.status, 200);
    const account = (await res.json()) as { avatar: string; header: string };
    const avatar = (await download(account.avatar)).bytes;
    assertClean(avatar, 'avatar');
    assert.deepEqual([(await sharp(avatar).metadata()).width, (await sharp(avatar).metadata()).height], [400, 400]);
    const header = (await download(account.header)).bytes;
    assertClean(header, 'header');
    assert.deepEqual([(await sharp(header).metadata()).width, (await sharp(header).metadata()).height], [1500, 500]);
    await bob.client.v1.profile.avatar.remove();
    await until('the old avatar gone', async () => (await fetch(here(account.avatar))).status === 404);
    const refused = new FormData();
    refused.set('avatar', blob(new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'image/svg+xml'), 'a.svg');
    assert.equal(
      (
        await fetch(`${server.url}/api/v1/accounts/update_credentials`, {
          method: 'PATCH',
          headers: { authorization: `Bearer ${bob.token}` },
          body: refused,
        })
      ).status,
      422,
    );
  });

  it('refuses paths outside the media keys', async () => {
    for (const path of [
      '/media/../data/stoa.sqlite',
      '/media/%2e%2e/secret',
      '/media/ab/cd/nothing.jpg',
      '/media/00/00/00000000000000000000000000000000.jpg',
    ]) {
      const res = await fetch(`${server.url}${path}`);
      assert.equal(res.status, 404, path);
    }
  });
});

describe('the ffmpeg shipped in node_modules', { skip }, () => {
  let server: TestServer;
  let ann: TestAccount;
  before(async () => {
    const require = createRequire(import.meta.url);
    server = await startTestServer({
      STOA_FFMPEG_PATH: (require('@ffmpeg-installer/ffmpeg') as { path: string }).path,
      STOA_FFPROBE_PATH: (require('@ffprobe-installer/ffprobe') as { path: string }).path,
    });
    base = server.url;
    [ann] = (await createTestAccounts(server, ['ann'])) as [TestAccount];
  });
  after(() => server.close());

  it('transcodes a MOV without its location and device tags, for servers without a system ffmpeg', async () => {
    const media = await ann.client.v2.media.create({ file: blob(readBytes(videoWithLeaks(fixtures, 'mov')), 'video/quicktime') });
    assert.equal(media.type, 'video');
    const path = assertClean((await download(media.url!)).bytes, 'packaged-ffmpeg.mp4');
    assert.deepEqual(
      probeTags(path)
        .streams.map((s) => s.codec_type)
        .sort(),
      ['audio', 'video'],
    );
  });
});

describe('media in an S3-compatible bucket', { skip }, () => {
  let s3: TestS3;
  let server: TestServer;
  let ann: TestAccount;
  before(async () => {
    s3 = await startTestS3();
    server = await startTestServer(s3.env, { workers: true });
    base = server.url;
    [ann] = (await createTestAccounts(server, ['ann'])) as [TestAccount];
  });
  after(async () => {
    await server.close();
    await s3.close();
  });

  it('stores clean files in the bucket, serves them with ranges, and removes them with the status and the account', async () => {
    assert.equal(server.app.services.blobs.kind, 's3');
    const photo = await ann.client.v1.media.create({ file: blob(readBytes(await jpegWithLeaks(fixtures)), 'image/jpeg') });
    const video = await ann.client.v2.media.create({ file: blob(readBytes(videoWithLeaks(fixtures, 'mp4')), 'video/mp4') });
    const keyOf = (url: string) => new URL(url).pathname.slice('/media/'.length);
    const bucket = () => server.app.services.blobs.list();
    assert.deepEqual((await bucket()).sort(), [photo.url!, photo.previewUrl, video.url!, video.previewUrl].map(keyOf).sort());
    // Read straight from the bucket, not through Stoa: the stored bytes are clean.
    const stored = await fetch(`${s3.endpoint}/${s3.bucket}/${keyOf(photo.url!)}`);
    assertClean(new Uint8Array(await stored.arrayBuffer()), 's3-stored.jpg');
    const served = await download(video.url!);
    assertClean(served.bytes, 's3-served.mp4');
    const part = await fetch(here(video.url!), { headers: { range: 'bytes=10-19' } });
    assert.equal(part.status, 206);
    assert.deepEqual(new Uint8Array(await part.arrayBuffer()), served.bytes.subarray(10, 20));

    const status = await ann.client.v1.statuses.create({ status: 'a photo', mediaIds: [photo.id] });
    await ann.client.v1.statuses.$select(status.id).remove();
    // The files go by a job, right after the deletion commits.
    const expected = [video.url!, video.previewUrl].map(keyOf).sort();
    await until('the photo gone from the bucket', async () => JSON.stringify((await bucket()).sort()) === JSON.stringify(expected));
    assert.equal((await fetch(here(photo.url!))).status, 404);

    await server.app.services.commands.accounts.delete(cliActor((await findAccountById(server.app.db.read, ann.id))!));
    await until('every file gone from the bucket', async () => (await bucket()).length === 0);
  });
});

describe('media limits and cleanup', { skip }, () => {
  let server: TestServer;
  let ann: TestAccount;
  const clock = Object.assign(() => clock.now, { now: Date.now(), advance: (ms: number) => (clock.now += ms) });
  before(async () => {
    server = await startTestServer({ STOA_MEDIA_MAX_IMAGE_BYTES: '20000', STOA_MEDIA_MAX_SECONDS: '1' }, { clock });
    base = server.url;
    [ann] = (await createTestAccounts(server, ['ann'])) as [TestAccount];
  });
  after(() => server.close());

  it('answers 413 for a file over the size limit and 422 for a video over the duration limit', async () => {
    const big = await sharp({
      create: { width: 400, height: 400, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 60 } },
    })
      .png()
      .toBuffer();
    const res = await upload(ann, server, new Uint8Array(big), 'big.png', 'image/png');
    assert.equal(res.status, 413);
    assert.match(((await res.json()) as { error: string }).error, /too large/);
    const long = await upload(ann, server, readBytes(videoWithLeaks(fixtures, 'mp4', 3)), 'long.mp4', 'video/mp4');
    assert.equal(long.status, 422);
    assert.match(((await long.json()) as { error: string }).error, /too long/);
  });

  it('removes uploads never attached after a day, files included', async () => {
    const small = await sharp({ create: { width: 20, height: 20, channels: 3, background: '#ff0000' } })
      .png()
      .toBuffer();
    const res = await upload(ann, server, new Uint8Array(small), 'small.png', 'image/png');
    const media = (await res.json()) as { id: string; url: string };
    assert.equal(await server.app.services.media.cleanup(), 0, 'a fresh upload stays');
    clock.advance(25 * 3600 * 1000);
    assert.equal(await server.app.services.media.cleanup(), 1);
    assert.equal((await fetch(here(media.url))).status, 404);
    assert.deepEqual(await server.app.services.blobs.list(), []);
  });
});
