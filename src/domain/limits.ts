/**
 * Limits the server enforces and announces to clients (the Instance entity's `configuration`). Values an
 * operator can change move into the configuration as the features that use them land.
 */
export const LIMITS = Object.freeze({
  statusCharacters: 1000,
  charactersReservedPerUrl: 23,
  mediaAttachmentsPerStatus: 4,
  featuredTags: 10,
  pinnedStatuses: 5,
  pollOptions: 4,
  pollOptionCharacters: 50,
  pollMinSeconds: 300,
  pollMaxSeconds: 2_629_746,
  mediaDescriptionCharacters: 1500,
  videoFrameRate: 120,
});

/** Media types clients may offer for upload. */
export const SUPPORTED_MEDIA_TYPES: readonly string[] = Object.freeze([
  'image/jpeg',
  'image/png',
  'image/gif',
  'image/webp',
  'image/avif',
  'image/heic',
  'image/heif',
  'video/mp4',
  'video/webm',
  'video/quicktime',
  'audio/mpeg',
  'audio/mp3',
  'audio/ogg',
  'audio/mp4',
  'audio/m4a',
  'audio/x-m4a',
]);
