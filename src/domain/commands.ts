import type { Clock } from '../lib/clock.ts';
import type { Db } from '../storage/db/database.ts';
import { createAccountService, type AccountService } from './accounts/accounts.service.ts';
import { accountMigration, type AccountMigration } from './accounts/migration.ts';
import type { Changes } from './changes.ts';
import { createGraphService, type GraphService } from './graph/graph.service.ts';
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
  readonly reports: ReportService;
  readonly notifications: NotificationService;
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
}): Commands & { readonly run: RunCommand } {
  const { db, clock, publicUrl } = deps;
  const run = commandRunner(db, clock, deps.changes);
  const graph = createGraphService({ db, clock, run, publicUrl });
  return {
    run,
    statuses: createStatusService({ db, run, publicUrl, domain: deps.domain, maxCharacters: deps.maxCharacters, search: deps.search }),
    graph,
    accounts: createAccountService({ db, run }),
    migration: accountMigration({ db, run, graph }),
    reports: createReportService({ db, run }),
    notifications: createNotificationService({ run }),
  };
}
