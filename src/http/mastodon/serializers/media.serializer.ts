import type { MediaRow } from '../../../domain/media/media.repo.ts';
import type { AccountUrls } from './account.serializer.ts';
import type { MediaAttachment } from '../entities.ts';

/** Mastodon's MediaAttachment entity; `url` is null while the file is being processed. */
export function serializeMedia(media: MediaRow, urls: AccountUrls): MediaAttachment {
  const fileUrl = (key: string | null) => (key ? `${urls.media.baseUrl}/${key}` : null);
  const meta = media.meta ? (JSON.parse(media.meta) as NonNullable<MediaAttachment['meta']>) : {};
  return {
    id: media.id,
    // A remote file that could not be fetched or processed is shown as Mastodon shows it: unknown.
    type: media.state === 'failed' ? 'unknown' : media.type,
    url: media.state === 'ready' ? fileUrl(media.file_key) : null,
    preview_url: media.state === 'ready' ? fileUrl(media.preview_key) : null,
    remote_url: null,
    preview_remote_url: null,
    text_url: null,
    meta: { ...meta, focus: { x: Number(media.focus_x), y: Number(media.focus_y) } },
    description: media.description,
    blurhash: media.blurhash,
  };
}
