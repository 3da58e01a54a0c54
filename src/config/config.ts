import type { LevelWithSilent } from 'pino';

/** How Stoa stores its rows: an embedded SQLite file, or a PostgreSQL server. */
export type DatabaseConfig = { readonly engine: 'sqlite'; readonly path: string } | { readonly engine: 'postgres'; readonly url: string };

/** The validated, frozen configuration of one Stoa process. Built by `loadConfig`, read everywhere else. */
/** Where media files are kept. */
export type BlobConfig =
  | { readonly kind: 'local'; readonly directory: string }
  | {
      readonly kind: 's3';
      readonly endpoint: string;
      readonly bucket: string;
      readonly region: string;
      readonly accessKeyId: string;
      readonly secretAccessKey: string;
      readonly pathStyle: boolean;
    };

export interface Config {
  /** Public host (and port, if not the default), used in handles and URLs: `example.org`. */
  readonly domain: string;
  /** Origin every public URL starts with: `https://example.org`. */
  readonly publicUrl: string;
  readonly insecureHttp: boolean;
  readonly port: number;
  readonly bind: string;
  /** Absolute path of the folder that holds the SQLite file, media, mail and the generated secret. */
  readonly dataDir: string;
  readonly database: DatabaseConfig;
  readonly redisUrl: string | null;
  /** Server-wide secret (at least 32 characters) from which signing keys are derived. */
  readonly secret: string;
  /** Where the secret came from, for `stoa config check`. */
  readonly secretSource: 'environment' | 'file';
  /** Addresses and CIDR ranges of reverse proxies whose `X-Forwarded-For` is believed. */
  readonly trustedProxies: readonly string[];
  readonly logLevel: LevelWithSilent;
  readonly instance: {
    readonly name: string;
    readonly description: string;
    readonly contactEmail: string;
    /** Where members can get the source code of the software this server runs (AGPL). */
    readonly sourceUrl: string;
    /** The server's rules, in order (from `STOA_RULES_FILE`, one per line). */
    readonly rules: readonly string[];
    /** Whether profile and post pages (and feeds) are for everyone or only for signed-in members. */
    readonly publicPages: 'public' | 'signed-in';
    /**
     * The rules that flag threats of violence for the moderators: Stoa's starter rules (`starter`), none
     * (`off`), or the operator's JSON file (its absolute path), from `STOA_FLAG_RULES_FILE`.
     */
    readonly flagRules: 'starter' | 'off' | { readonly file: string };
  };
  readonly limits: {
    /** Largest request body accepted by the API, in bytes (media uploads have their own limit). */
    readonly requestBodyBytes: number;
    /** API requests per 5 minutes for each account. */
    readonly apiPerAccount: number;
    /** API requests per 5 minutes for each address, without a token or with an app-only token. */
    readonly apiPerAddress: number;
    /** Apps registered and tokens issued (other than by password) per hour for each address. */
    readonly appsPerAddress: number;
    /** Public pages (profiles, posts, hashtags) and feeds per 5 minutes for each address. */
    readonly pagesPerAddress: number;
    /** ActivityPub reads (actors, objects, outboxes, collections) and WebFinger per 5 minutes for each address. */
    readonly federationPerAddress: number;
    /** Posts and reposts per 3 hours for each account. */
    readonly postsPerAccount: number;
  };
  readonly registration: {
    readonly mode: 'open' | 'approval' | 'invite' | 'closed';
    /** Leading zero bits the web sign-up form's proof of work must reach (0 turns it off). */
    readonly powBits: number;
  };
  /** Backups the worker role takes on a schedule (off without a folder), and their passphrase. */
  /**
   * Where the server moved (an origin such as `https://new.example`): this process only redirects every
   * request there, the same path and query (the former domain of a server moved with `stoa domain move`).
   */
  readonly movedTo: string | null;
  readonly backup: {
    /** The folder scheduled backups are written to; null turns the schedule off. */
    readonly dir: string | null;
    readonly everyHours: number;
    /** How many scheduled backups are kept (the oldest are removed). */
    readonly keep: number;
    /** The passphrase backups are encrypted with (required for scheduled backups). */
    readonly passphrase: string | null;
    /** The bucket each scheduled backup is copied to once verified (`STOA_BACKUP_S3_URL`); null: none. */
    readonly bucket: Extract<BlobConfig, { kind: 's3' }> | null;
  };
  readonly mail: {
    /** SMTP server to send through; null writes each mail as an .eml file under `<dataDir>/mail/`. */
    readonly smtpUrl: string | null;
    readonly from: string;
  };
  readonly auth: {
    readonly accessTokenTtlMs: number;
    readonly refreshTokenTtlMs: number;
    readonly sessionTtlMs: number;
    /** Whether the OAuth `password` grant is offered (for command-line clients). */
    readonly passwordGrant: boolean;
    /** Whether moderators and admins must have a second factor (TOTP or a passkey) to use their role. */
    readonly staffSecondFactor: boolean;
  };
  /**
   * Which posts full-text search looks through: all the searcher may see (`visible`), those of accounts
   * that opted in to discovery plus the searcher's own interactions (`opted-in`), or only the latter.
   */
  readonly statusSearch: 'visible' | 'opted-in' | 'interacted';
  /** Who may read the local, federated and hashtag timelines: anyone, or only signed-in members. */
  readonly publicTimelines: 'public' | 'signed-in';
  /** How long a stopping process waits for in-flight requests before it closes their connections. */
  readonly shutdownGraceMs: number;
  /** Bytes of home timeline pages kept in memory (0: none); see docs/adr/0008. */
  readonly homeCacheBytes: number;
  /** Uploads: where their files are served from and how large they may be. */
  readonly media: {
    /** Base URL of the served files: `<public URL>/media` unless `STOA_MEDIA_URL` names another host. */
    readonly baseUrl: string;
    readonly maxImageBytes: number;
    readonly maxVideoBytes: number;
    /** Pixels of one image (or one video frame); larger images are refused before they are decoded. */
    readonly maxPixels: number;
    readonly maxSeconds: number;
    /** ffmpeg and ffprobe to use; null: the system's when on the PATH, else the ones shipped in node_modules. */
    readonly ffmpegPath: string | null;
    readonly ffprobePath: string | null;
    /** The PATH the programs are looked up in. */
    readonly searchPath: string;
  };
  readonly blobs: BlobConfig;
  readonly federation: {
    /** Talk to every server (`open`), only to `allowedDomains` (`allowlist`), or to none (`off`). */
    readonly mode: 'open' | 'allowlist' | 'off';
    readonly allowedDomains: readonly string[];
    /** Serve public ActivityPub objects only to signed requests (Mastodon's "secure mode"). */
    readonly signedFetchesOnly: boolean;
    /**
     * Private addresses (and CIDR ranges) that outgoing requests may reach, honoured only together with
     * plain HTTP: for test networks of servers on one machine. Empty in production.
     */
    readonly allowedPrivatePeers: readonly string[];
    /**
     * After five failed deliveries to a server within ten minutes, deliveries to it are held (for up to
     * a week) and it is tried again after this long: a dead server costs nothing meanwhile.
     */
    readonly deliveryPauseMs: number;
    /** Whether the workers fetch the first link of each post for its preview card. */
    readonly linkPreviews: boolean;
  };
}

/** Every problem found in the environment, reported at once in words an operator understands. */
export class ConfigError extends Error {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(
      `Stoa cannot start: the configuration has ${problems.length === 1 ? 'a problem' : `${problems.length} problems`}:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'ConfigError';
    this.problems = problems;
  }
}
