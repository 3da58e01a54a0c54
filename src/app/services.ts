import { closingState } from '../domain/instance/closing.ts';
import { watchSetting, type WatchedSetting } from '../domain/instance/server-settings.repo.ts';
import { issuanceLimit, type IssuanceLimit } from '../domain/auth/issuance-limit.ts';
import { configuredFlagger } from '../domain/moderation/flagging/flag-status.ts';
import type { Flagger } from '../domain/moderation/flagging/flagger.ts';
import type { Config } from '../config/index.ts';
import { createPasskeyService, type PasskeyService } from '../domain/auth/passkeys.service.ts';
import { createProofOfWork, type ProofOfWork } from '../domain/auth/proof-of-work.ts';
import { createSessionService, type SessionService } from '../domain/auth/sessions.service.ts';
import { createSignInThrottle, type SignInThrottle } from '../domain/auth/sign-in-throttle.ts';
import { tokenMinter, type TokenMinter } from '../domain/auth/token-format.ts';
import { createTokenService, type TokenService } from '../domain/auth/tokens.service.ts';
import { createTotpService, type TotpService } from '../domain/auth/totp.service.ts';
import { createRegistrationService, type RegistrationService } from '../domain/accounts/registration.service.ts';
import { createInstanceService, type InstanceService } from '../domain/instance/instance.service.ts';
import { LIMITS } from '../domain/limits.ts';
import { searchIndex, type SearchIndex } from '../domain/statuses/search-index.ts';
import { createCommands, type Commands } from '../domain/commands.ts';
import type { RunCommand } from '../domain/unit-of-work.ts';
import { createPushService, type PushService } from '../domain/push/push.service.ts';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import { secretBox } from '../lib/secret-box.ts';
import { signer, type Signer } from '../lib/signed-value.ts';
import { createMailer, type Mailer } from '../mail/mailer.ts';
import { memoryRateLimiter, type RateLimiter } from '../storage/cache/rate-limiter.ts';
import type { Db } from '../storage/db/database.ts';
import type { BlobStore } from '../storage/blobs/blob-store.ts';
import { createBlobStore } from '../storage/blobs/create-blob-store.ts';
import { createMediaService, type MediaService } from '../domain/media/media.service.ts';
import { changeFeed, type Changes } from '../domain/changes.ts';
import { homeCache, type HomeCache } from '../domain/timelines/home-cache.ts';
import { serverPolicy, type ServerPolicy } from '../domain/moderation/server-policy.ts';

/** Everything the surfaces call, built once per process from the configuration. */
export interface Services {
  readonly config: Config;
  readonly db: Db;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly instance: InstanceService;
  readonly limiter: RateLimiter;
  readonly throttle: SignInThrottle;
  readonly minter: TokenMinter;
  readonly tokens: TokenService;
  readonly sessions: SessionService;
  readonly totp: TotpService;
  readonly passkeys: PasskeyService;
  readonly registration: RegistrationService;
  readonly mailer: Mailer;
  readonly proofOfWork: ProofOfWork;
  /** Counts apps registered and tokens issued against the asking address. */
  readonly issuance: IssuanceLimit;
  readonly search: SearchIndex;
  /** Every social command (statuses, graph, accounts, migration, reports, notifications): one write path each. */
  readonly commands: Commands;
  /** The unit-of-work runner every command writes through. */
  readonly run: RunCommand;
  readonly push: PushService;
  readonly changes: Changes;
  /** The rules that flag threats of violence for the moderators, compiled; null when flagging is off. */
  readonly flagger: Flagger | null;
  /** Domain and address blocks, in memory (loaded when the app starts). */
  readonly policy: ServerPolicy;
  /** Whether the server is closing (read-only for members, who export and move): the day it closes, or null. */
  readonly closing: WatchedSetting;
  /** When the newest verified backup was taken, or null before the first. */
  readonly backups: WatchedSetting;
  /** Recently sent home timeline pages; null when the configuration turns the cache off. */
  readonly homeCache: HomeCache | null;
  readonly blobs: BlobStore;
  readonly media: MediaService;
  /** Signers for values kept by browsers between two requests, one per purpose. */
  readonly signers: { readonly pendingSignIn: Signer; readonly webauthn: Signer; readonly csrf: Signer };
}

/**
 * Builds the services over an open database. `soleWriter` says whether this process makes every write to
 * it (one `stoa serve --role all`): the in-process caches (home pages, tokens) are kept only then, since
 * a write made by another process could not drop them.
 */
export function createServices(config: Config, db: Db, logger: Logger, clock: Clock, options: { soleWriter: boolean }): Services {
  const limiter = memoryRateLimiter(clock);
  const minter = tokenMinter(config.secret);
  const mailer = createMailer(config, logger);
  const search = searchIndex(db.engine, config.secret);
  const changes = changeFeed();
  const blobs = createBlobStore(config.blobs);
  const flagger = configuredFlagger(config.instance.flagRules);
  const { run, ...commands } = createCommands({
    db,
    clock,
    changes,
    search,
    publicUrl: config.publicUrl,
    domain: config.domain,
    maxCharacters: LIMITS.statusCharacters,
    mailer,
    logger,
    siteName: config.instance.name,
    flagger,
    dataDir: config.dataDir,
    linkPreviews: config.federation.linkPreviews,
  });
  const media = createMediaService({ db, clock, config, blobs, limiter, logger, run });
  const policy = serverPolicy({ read: db.read, clock, changes, federation: config.federation });
  const push = createPushService({ db, clock, box: secretBox(config.secret, 'web-push'), allowHttp: config.insecureHttp });
  return {
    config,
    db,
    clock,
    logger,
    instance: createInstanceService(db),
    limiter,
    throttle: createSignInThrottle(clock, limiter),
    minter,
    // A push subscription follows its token through a refresh.
    tokens: createTokenService(
      db,
      clock,
      minter,
      { accessMs: config.auth.accessTokenTtlMs, refreshMs: config.auth.refreshTokenTtlMs },
      (tx, oldId, newId, token) => push.carryOver(tx, oldId, newId, token),
    ),
    sessions: createSessionService(db, clock, config.auth.sessionTtlMs),
    totp: createTotpService(db, clock, secretBox(config.secret, 'totp'), config.secret),
    passkeys: createPasskeyService(db, clock, {
      name: config.instance.name,
      id: new URL(config.publicUrl).hostname,
      origin: config.publicUrl,
    }),
    registration: createRegistrationService({ db, clock, config, mailer, limiter, logger, run, ipSeverity: (ip) => policy.ipSeverity(ip) }),
    mailer,
    search,
    commands,
    run,
    push,
    changes,
    policy,
    closing: closingState(db.read),
    backups: watchSetting(db.read, 'backup_verified_at', 60_000),
    flagger,
    homeCache: options.soleWriter && config.homeCacheBytes > 0 ? homeCache({ maxBytes: config.homeCacheBytes, clock, changes }) : null,
    blobs,
    media,
    issuance: issuanceLimit(limiter, config.limits.appsPerAddress),
    proofOfWork: createProofOfWork(config.registration.powBits, signer(config.secret, 'proof-of-work', clock), clock),
    signers: {
      pendingSignIn: signer(config.secret, 'pending-sign-in', clock),
      webauthn: signer(config.secret, 'webauthn', clock),
      csrf: signer(config.secret, 'csrf', clock),
    },
  };
}
