import type { Kysely } from 'kysely';
import type { Engine } from '../database.ts';
import * as m0001 from './0001-accounts-and-statuses.ts';
import * as m0002 from './0002-users-and-auth.ts';
import * as m0003 from './0003-social.ts';
import * as m0004 from './0004-media.ts';
import * as m0005 from './0005-federation.ts';
import * as m0006 from './0006-quotes-moves-reports.ts';
import * as m0007 from './0007-web-client.ts';
import * as m0008 from './0008-one-repost-per-account.ts';
import * as m0009 from './0009-follows-by-remote-accounts.ts';
import * as m0010 from './0010-moderation.ts';
import * as m0011 from './0011-server-settings.ts';
import * as m0012 from './0012-held-usernames.ts';
import * as m0013 from './0013-account-imports.ts';
import * as m0014 from './0014-lists.ts';
import * as m0015 from './0015-filters.ts';
import * as m0016 from './0016-scheduled-statuses.ts';
import * as m0017 from './0017-conversation-marks.ts';
import * as m0018 from './0018-polls.ts';
import * as m0019 from './0019-notification-policy.ts';
import * as m0020 from './0020-profile-discovery.ts';
import * as m0021 from './0021-custom-emojis.ts';
import * as m0022 from './0022-announcements.ts';
import * as m0023 from './0023-preview-cards.ts';
import * as m0024 from './0024-trend-reviews.ts';

/** One schema change; `engine` lets a migration choose the column types that differ. */
export interface StoaMigration {
  up(db: Kysely<unknown>, engine: Engine): Promise<void>;
  down?(db: Kysely<unknown>, engine: Engine): Promise<void>;
}

/**
 * Every migration, in the order it runs, on SQLite and PostgreSQL alike. Append only: a released
 * migration is never edited or renamed, because databases in the field record it by name.
 */
export const MIGRATIONS: ReadonlyArray<readonly [name: string, migration: StoaMigration]> = [
  ['0001-accounts-and-statuses', m0001],
  ['0002-users-and-auth', m0002],
  ['0003-social', m0003],
  ['0004-media', m0004],
  ['0005-federation', m0005],
  ['0006-quotes-moves-reports', m0006],
  ['0007-web-client', m0007],
  ['0008-one-repost-per-account', m0008],
  ['0009-follows-by-remote-accounts', m0009],
  ['0010-moderation', m0010],
  ['0011-server-settings', m0011],
  ['0012-held-usernames', m0012],
  ['0013-account-imports', m0013],
  ['0014-lists', m0014],
  ['0015-filters', m0015],
  ['0016-scheduled-statuses', m0016],
  ['0017-conversation-marks', m0017],
  ['0018-polls', m0018],
  ['0019-notification-policy', m0019],
  ['0020-profile-discovery', m0020],
  ['0021-custom-emojis', m0021],
  ['0022-announcements', m0022],
  ['0023-preview-cards', m0023],
  ['0024-trend-reviews', m0024],
];
