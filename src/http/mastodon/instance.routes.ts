import { Hono } from 'hono';
import type { InstanceService } from '../../domain/instance/instance.service.ts';
import { localEmojis } from '../../domain/emoji/custom-emojis.ts';
import { publicDomainBlocks } from '../../domain/moderation/admin.views.ts';
import type { DbReader } from '../../storage/db/database.ts';
import type { AppEnv } from '../shared/app-env.ts';
import type { PublicDomainBlock } from './entities.ts';
import { INSTANCE_LANGUAGES } from './languages.ts';
import { serializeEmoji } from './serializers/emoji.serializer.ts';
import { escapeHtml } from '../../lib/html.ts';
import { serializeInstanceV1, serializeInstanceV2, serializeRules, type InstanceConfig } from './serializers/instance.serializer.ts';

/** `GET /api/v1/instance`, `GET /api/v2/instance`, its peers and domain blocks: public, so that clients can read them before sign-in. */
export function instanceRoutes(
  config: InstanceConfig,
  instance: InstanceService,
  vapidKey: () => Promise<string>,
  read: DbReader,
): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.get('/api/v2/instance', async (c) => {
    c.header('Cache-Control', 'public, max-age=60');
    return c.json(serializeInstanceV2(config, await instance.stats(), await vapidKey()));
  });
  routes.get('/api/v1/instance', async (c) => {
    c.header('Cache-Control', 'public, max-age=60');
    return c.json(serializeInstanceV1(config, await instance.stats()));
  });
  // The servers this one knows accounts on (Mastodon lists those it has seen); cached for a minute.
  routes.get('/api/v1/instance/peers', async (c) => {
    c.header('Cache-Control', 'public, max-age=60');
    return c.json(await instance.peers());
  });
  routes.get('/api/v1/instance/rules', (c) => {
    c.header('Cache-Control', 'public, max-age=60');
    return c.json(serializeRules(config));
  });
  // The longer text of the about page: the server's description (Stoa has no separate one yet).
  const describedAt = new Date().toISOString();
  routes.get('/api/v1/instance/extended_description', (c) => {
    c.header('Cache-Control', 'public, max-age=60');
    const text = config.instance.description.trim();
    return c.json({ updated_at: describedAt, content: text ? `<p>${escapeHtml(text).replace(/\n+/g, '</p><p>')}</p>` : '' });
  });
  // The languages a post may be marked with; translation is not offered, so it has no pairs.
  routes.get('/api/v1/instance/languages', (c) => {
    c.header('Cache-Control', 'public, max-age=3600');
    return c.json(INSTANCE_LANGUAGES);
  });
  routes.get('/api/v1/instance/translation_languages', (c) => c.json({}));
  // This server's custom emoji, for the apps' pickers (hidden ones too, with visible_in_picker false).
  routes.get('/api/v1/custom_emojis', async (c) => {
    c.header('Cache-Control', 'public, max-age=60');
    return c.json((await localEmojis(read)).map((e) => serializeEmoji(e, config)));
  });
  // Servers this one has suspended or limited, with their public comments (obfuscated where asked).
  routes.get('/api/v1/instance/domain_blocks', async (c) => {
    c.header('Cache-Control', 'public, max-age=60');
    const blocks: PublicDomainBlock[] = (await publicDomainBlocks(read)).map((b) => ({
      domain: b.domain,
      digest: b.digest,
      severity: b.severity,
      ...(b.comment ? { comment: b.comment } : {}),
    }));
    return c.json(blocks);
  });
  return routes;
}
