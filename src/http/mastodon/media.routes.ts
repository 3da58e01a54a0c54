import type { Context } from 'hono';
import { z } from 'zod';
import type { Config } from '../../config/index.ts';
import type { MediaEdits, MediaService } from '../../domain/media/media.service.ts';
import type { AppEnv } from '../shared/app-env.ts';
import { readInput } from '../shared/input.ts';
import { currentUser, scoped, type RouteDef } from '../shared/route-table.ts';
import { serializeMedia } from './serializers/media.serializer.ts';

const focus = z
  .string()
  .trim()
  .regex(/^-?\d+(\.\d+)?,-?\d+(\.\d+)?$/, { error: 'must be two numbers from -1.0 to 1.0, such as 0.5,-0.25' })
  .transform((v) => v.split(',').map(Number) as [number, number])
  .refine(([x, y]) => Math.abs(x) <= 1 && Math.abs(y) <= 1, { error: 'must be two numbers from -1.0 to 1.0' });
const Edits = z.object({ description: z.string().max(10_000).optional(), focus: focus.optional() });
const Upload = Edits.extend({
  file: z.instanceof(File, { error: 'must be a file sent as multipart/form-data' }),
  thumbnail: z.instanceof(File).optional(),
});

/** The MediaAttachment API: upload (in the background or at once), read, describe, delete. */
export function mediaRoutes(deps: { config: Config; media: MediaService }): RouteDef[] {
  const { media, config } = deps;
  const edits = (input: z.output<typeof Edits>): MediaEdits => ({ description: input.description, focus: input.focus });
  const upload = async (c: Context<AppEnv>, wait: boolean) => {
    const { account } = currentUser(c);
    const input = readInput(c, Upload);
    const row = await media.upload(account.id, new Uint8Array(await input.file.arrayBuffer()), edits(input), { wait });
    return c.json(serializeMedia(row, config), row.state === 'ready' ? 200 : 202);
  };
  return [
    { method: 'POST', path: '/api/v2/media', access: scoped('write:media'), handler: (c) => upload(c, false) },
    { method: 'POST', path: '/api/v1/media', access: scoped('write:media'), handler: (c) => upload(c, true) },
    {
      method: 'GET',
      path: '/api/v1/media/:id',
      access: scoped('write:media'),
      async handler(c) {
        const row = await media.get(currentUser(c).account.id, c.req.param('id')!);
        if (row.state === 'failed') return c.json({ error: row.error ?? 'The file could not be processed' }, 422);
        // Mastodon answers 206 while the file is still being processed.
        return c.json(serializeMedia(row, config), row.state === 'ready' ? 200 : 206);
      },
    },
    {
      method: 'PUT',
      path: '/api/v1/media/:id',
      access: scoped('write:media'),
      async handler(c) {
        const row = await media.update(currentUser(c).account.id, c.req.param('id')!, edits(readInput(c, Edits)));
        return c.json(serializeMedia(row, config));
      },
    },
    {
      method: 'DELETE',
      path: '/api/v1/media/:id',
      access: scoped('write:media'),
      async handler(c) {
        await media.remove(currentUser(c).account.id, c.req.param('id')!);
        return c.json({});
      },
    },
  ];
}
