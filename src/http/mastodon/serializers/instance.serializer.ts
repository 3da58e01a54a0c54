import { COMPATIBLE_VERSION } from '../../../config/version.ts';
import type { Config } from '../../../config/index.ts';
import type { InstanceStats } from '../../../domain/instance/instance.service.ts';
import { LIMITS, SUPPORTED_MEDIA_TYPES } from '../../../domain/limits.ts';
import type { Instance, InstanceV1, Rule } from '../entities.ts';

/** The parts of the configuration the Instance entity shows. */
export type InstanceConfig = Pick<Config, 'domain' | 'publicUrl' | 'insecureHttp' | 'instance' | 'media' | 'registration'>;

const LANGUAGES = ['en'];

function streamingUrl(config: InstanceConfig): string {
  return `${config.insecureHttp ? 'ws' : 'wss'}://${config.domain}`;
}

function thumbnailUrl(config: InstanceConfig): string {
  return `${config.publicUrl}/static/thumbnail.png`;
}

function statusesConfiguration() {
  return {
    max_characters: LIMITS.statusCharacters,
    max_media_attachments: LIMITS.mediaAttachmentsPerStatus,
    characters_reserved_per_url: LIMITS.charactersReservedPerUrl,
  };
}

function mediaConfiguration(config: InstanceConfig) {
  return {
    supported_mime_types: SUPPORTED_MEDIA_TYPES,
    description_limit: LIMITS.mediaDescriptionCharacters,
    image_size_limit: config.media.maxImageBytes,
    image_matrix_limit: config.media.maxPixels,
    video_size_limit: config.media.maxVideoBytes,
    video_frame_rate_limit: LIMITS.videoFrameRate,
    video_matrix_limit: config.media.maxPixels,
  };
}

function pollsConfiguration() {
  return {
    max_options: LIMITS.pollOptions,
    max_characters_per_option: LIMITS.pollOptionCharacters,
    min_expiration: LIMITS.pollMinSeconds,
    max_expiration: LIMITS.pollMaxSeconds,
  };
}

function accountsConfiguration() {
  return { max_featured_tags: LIMITS.featuredTags, max_pinned_statuses: LIMITS.pinnedStatuses };
}

/**
 * Who may sign up, as Mastodon tells it: open to anyone in `open` and `approval` modes (the latter with a
 * reason for the moderators), by invitation only in `invite` mode (not open, invitations on), not at all
 * when `closed`. With a proof of work on, apps are pointed at the sign-up page, which solves it.
 */
function registrations(config: InstanceConfig) {
  const { mode, powBits } = config.registration;
  return {
    enabled: mode === 'open' || mode === 'approval',
    approval_required: mode === 'approval',
    reason_required: mode === 'approval',
    url: (mode === 'open' || mode === 'approval') && powBits > 0 ? `${config.publicUrl}/auth/sign_up` : null,
  };
}

/** Mastodon's Instance entity (`GET /api/v2/instance`). */
export function serializeInstanceV2(config: InstanceConfig, stats: InstanceStats, vapidKey: string): Instance {
  return {
    domain: config.domain,
    title: config.instance.name,
    version: COMPATIBLE_VERSION,
    source_url: config.instance.sourceUrl,
    description: config.instance.description,
    usage: { users: { active_month: stats.activeMonth } },
    thumbnail: { url: thumbnailUrl(config), blurhash: null, versions: {} },
    icon: [],
    languages: LANGUAGES,
    configuration: {
      urls: {
        streaming: streamingUrl(config),
        status: null,
        about: `${config.publicUrl}/about`,
        privacy_policy: null,
        terms_of_service: null,
      },
      vapid: { public_key: vapidKey },
      accounts: accountsConfiguration(),
      statuses: statusesConfiguration(),
      media_attachments: mediaConfiguration(config),
      polls: pollsConfiguration(),
      translation: { enabled: false },
    },
    registrations: { ...registrations(config), message: null, min_age: null },
    // Version 2 of Mastodon's API: grouped notifications (`/api/v2/notifications`) are served.
    api_versions: { mastodon: 2 },
    contact: { email: config.instance.contactEmail, account: null },
    rules: serializeRules(config),
  };
}

/** Mastodon's V1::Instance entity (`GET /api/v1/instance`), still read by many clients. */
export function serializeInstanceV1(config: InstanceConfig, stats: InstanceStats): InstanceV1 {
  return {
    uri: config.domain,
    title: config.instance.name,
    short_description: config.instance.description,
    description: config.instance.description,
    email: config.instance.contactEmail,
    version: COMPATIBLE_VERSION,
    urls: { streaming_api: streamingUrl(config) },
    stats: { user_count: stats.userCount, status_count: stats.statusCount, domain_count: stats.domainCount },
    thumbnail: thumbnailUrl(config),
    languages: LANGUAGES,
    registrations: registrations(config).enabled,
    approval_required: registrations(config).approval_required,
    // Invitations are taken in invite mode, and skip the queue in approval mode.
    invites_enabled: config.registration.mode === 'invite' || config.registration.mode === 'approval',
    configuration: {
      accounts: accountsConfiguration(),
      statuses: statusesConfiguration(),
      media_attachments: mediaConfiguration(config),
      polls: pollsConfiguration(),
    },
    contact_account: null,
    rules: serializeRules(config),
  };
}

/** The server's rules as Mastodon's Rule entities (ids are their positions, from 1). */
export function serializeRules(config: InstanceConfig): Rule[] {
  return config.instance.rules.map((text, i) => ({ id: String(i + 1), text, hint: '' }));
}
