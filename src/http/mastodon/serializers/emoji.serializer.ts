import type { EmojiRow } from '../../../domain/emoji/custom-emojis.ts';
import { toBool } from '../../../storage/db/db-errors.ts';
import type { CustomEmoji } from '../entities.ts';

/** Mastodon's CustomEmoji entity; its images are served from this server's media, remote ones included. */
export function serializeEmoji(row: EmojiRow, urls: { readonly media: { readonly baseUrl: string } }): CustomEmoji {
  return {
    shortcode: row.shortcode,
    url: `${urls.media.baseUrl}/${row.image_key}`,
    static_url: `${urls.media.baseUrl}/${row.static_key ?? row.image_key}`,
    visible_in_picker: toBool(row.visible_in_picker),
    category: row.category,
  };
}
