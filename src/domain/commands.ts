import { join } from 'node:path';
import type { Clock } from '../lib/clock.ts';
import type { Db } from '../storage/db/database.ts';
import { createAccountService, type AccountService } from './accounts/accounts.service.ts';
import { accountImports, type AccountImports } from './accounts/imports.ts';
import { accountMigration, type AccountMigration } from './accounts/migration.ts';
import type { Changes } from './changes.ts';
import { createGraphService, type GraphService } from './graph/graph.service.ts';
import { conversationCommands, type ConversationCommands } from './conversations/conversations.ts';
import { profilePicks, type ProfilePicks } from './discovery/profile-picks.ts';
import { suggestionCommands, type SuggestionCommands } from './discovery/suggestions.ts';
import { announcementCommands, type AnnouncementCommands } from './announcements/announcements.ts';
import { cardCommands, type CardCommands } from './cards/preview-cards.ts';
import { trendCommands, type TrendCommands } from './trends/trends.ts';
import { emojiCommands, type EmojiCommands } from './emoji/custom-emojis.ts';
import { filterCommands, type FilterCommands } from './filters/filters.ts';
import { pollCommands, type PollCommands } from './polls/polls.ts';
import { listCommands, type ListCommands } from './lists/lists.ts';
import type { Logger } from '../lib/logger.ts';
import type { Mailer } from '../mail/mailer.ts';
import { flagStatus } from './moderation/flagging/flag-status.ts';
import type { Flagger } from './moderation/flagging/flagger.ts';
import { createBlockService, type BlockService } from './moderation/blocks.service.ts';
import { createModerationService, type ModerationService } from './moderation/moderation.service.ts';
import { createNotificationService, type NotificationService } from './notifications/notifications.service.ts';
import { createReportService, type ReportService } from './reports/reports.service.ts';
import type { SearchIndex } from './statuses/search-index.ts';
import { createStatusService, type StatusService } from './statuses/statuses.service.ts';
import { commandRunner, type RunCommand } from './unit-of-work.ts';

/**
 * Every social command, by area: the one write path of each action. The API, federation's inbox, the
 * command line and the workers all call these (with a local or remote actor); each writes through a unit of
 * work, so that what it changed is told once, after its commit.
 */
export interface Commands {
  readonly statuses: StatusService;
  readonly graph: GraphService;
  readonly accounts: AccountService;
  readonly migration: AccountMigration;
  /** A member's imports of follows, blocks, mutes, domain blocks and bookmarks from another server. */
  readonly imports: AccountImports;
  readonly reports: ReportService;
  /** A member's lists of accounts. */
  readonly lists: ListCommands;
  /** A member's filters of keywords and posts. */
  readonly filters: FilterCommands;
  /** A member's marks on their direct conversations (read, removed). */
  readonly conversations: ConversationCommands;
  /** Votes in polls, and polls' ends. */
  readonly polls: PollCommands;
  /** A member's private notes on accounts, endorsements and featured hashtags. */
  readonly picks: ProfilePicks;
  /** A member's dismissed follow suggestions. */
  readonly suggestions: SuggestionCommands;
  /** The operator's custom emoji, and other servers' once fetched. */
  readonly emojis: EmojiCommands;
  /** The operator's announcements, and members' dismissals of and reactions to them. */
  readonly announcements: AnnouncementCommands;
  /** Link preview cards the workers fetched. */
  readonly cards: CardCommands;
  /** Moderators' reviews of what may trend. */
  readonly trends: TrendCommands;
  readonly notifications: NotificationService;
  /** Moderators' actions on accounts, reports, strikes and appeals (each on the audit log). */
  readonly moderation: ModerationService;
  /** Admins' blocks of servers, addresses and email domains (each on the audit log). */
  readonly blocks: BlockService;
}

/** Builds the commands over the database; `run` is the unit-of-work runner they all share. */
export function createCommands(deps: {
  db: Db;
  clock: Clock;
  changes: Changes;
  search: SearchIndex;
  publicUrl: string;
  domain: string;
  maxCharacters: number;
  mailer: Mailer;
  logger: Logger;
  siteName: string;
  /** The rules that flag threats of violence for the moderators (null: none). */
  flagger: Flagger | null;
  /** The server's data folder (members' uploaded archives wait under it). */
  dataDir: string;
  /** Whether posts' first links are fetched for their preview cards. */
  linkPreviews?: boolean;
}): Commands & { readonly run: RunCommand } {
  const { db, clock, publicUrl, search, flagger } = deps;
  const run = commandRunner(db, clock, deps.changes);
  const graph = createGraphService({ db, clock, run, publicUrl });
  const statuses = createStatusService({
    db,
    clock,
    run,
    publicUrl,
    domain: deps.domain,
    maxCharacters: deps.maxCharacters,
    linkPreviews: deps.linkPreviews,
    search,
    screen: flagger ? (unit, status) => flagStatus(unit, flagger, publicUrl, status) : undefined,
  });
  const accounts = createAccountService({ db, run });
  return {
    run,
    statuses,
    graph,
    accounts,
    migration: accountMigration({ db, run, graph }),
    imports: accountImports({ db, run, graph, statuses, domain: deps.domain, archiveDir: join(deps.dataDir, 'imports') }),
    reports: createReportService({ db, run }),
    lists: listCommands({ db, run }),
    filters: filterCommands({ db, run }),
    conversations: conversationCommands({ db, run }),
    polls: pollCommands({ db, run }),
    picks: profilePicks({ db, run }),
    suggestions: suggestionCommands({ db, run }),
    emojis: emojiCommands({ db, run }),
    announcements: announcementCommands({ db, run, publicUrl }),
    cards: cardCommands({ db, run }),
    trends: trendCommands({ db, run }),
    notifications: createNotificationService({ run }),
    moderation: createModerationService({
      db,
      run,
      search,
      accounts,
      statuses,
      mailer: deps.mailer,
      logger: deps.logger,
      publicUrl,
      siteName: deps.siteName,
    }),
    blocks: createBlockService({ db, run, ownDomain: deps.domain }),
  };
}
