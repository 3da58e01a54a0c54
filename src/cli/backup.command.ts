import { createReadStream, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import type { Config } from '../config/index.ts';
import { SECRET_FILE } from '../config/secret.ts';
import { STOA_VERSION } from '../config/version.ts';
import { recordVerifiedBackup } from '../domain/instance/backup-age.ts';
import { rebuildSearchIndex } from '../domain/statuses/search-index.ts';
import { createLogger } from '../lib/logger.ts';
import { BackupError, backupWriter, readBackup } from '../storage/backup/archive.ts';
import { backupToFile } from '../storage/backup/backup-file.ts';
import { restoreBackup, takeBackup, verifyBackup, type BackupSummary } from '../storage/backup/backup.ts';
import { createBlobStore } from '../storage/blobs/create-blob-store.ts';
import { openDatabase } from '../storage/db/database.ts';
import { EXIT, type CliIo, type Command } from './command.ts';
import { loadConfigOrReport, reportStartupError } from './load.ts';
import { withDatabase } from './with-database.ts';

const PASSPHRASE_HELP = `The passphrase comes from STOA_BACKUP_PASSPHRASE or --passphrase-file (its first line).`;

/** The passphrase, from --passphrase-file or STOA_BACKUP_PASSPHRASE; null when there is none. */
function passphraseOf(io: CliIo, file: string | undefined): string | null {
  if (file) return readFileSync(file, 'utf8').split('\n')[0]!.trim() || null;
  return io.env.STOA_BACKUP_PASSPHRASE?.trim() || null;
}

function describe(summary: BackupSummary): string {
  const rows = Object.values(summary.trailer.tables).reduce((a, b) => a + b, 0);
  const { manifest, trailer } = summary;
  return `${manifest.domain}, taken ${manifest.createdAt} by Stoa ${manifest.stoa} on ${manifest.engine}: ${rows} rows in ${Object.keys(trailer.tables).length} tables, ${trailer.blobs} media files (${trailer.blobBytes} bytes)`;
}

/** `stoa backup`: one archive of everything the server needs, taken while it runs. */
export const backupCommand: Command = {
  name: 'backup',
  summary: 'write a backup of the database, media and secret, or check one',
  help: `Usage: stoa backup --out <file|-> [--unencrypted] [--passphrase-file F]
       stoa backup --verify <file> [--passphrase-file F]

Writes one archive of everything the server needs (the database, the media files from local disk or
the bucket, the server secret that seals the actors' keys) while the server runs: the database is
read in one snapshot, writes go on meanwhile. The archive is the same whatever the engine, so that it
restores into SQLite or PostgreSQL. It is encrypted with age and a passphrase unless --unencrypted is
given. ${PASSPHRASE_HELP} --out - writes to standard output.

--verify reads an archive through without restoring it: the passphrase, every checksum, every count.`,
  async run(args, io) {
    let values: { out?: string; verify?: string; unencrypted?: boolean; 'passphrase-file'?: string };
    try {
      ({ values } = parseArgs({
        args,
        options: {
          out: { type: 'string' },
          verify: { type: 'string' },
          unencrypted: { type: 'boolean' },
          'passphrase-file': { type: 'string' },
        },
      }));
    } catch (error) {
      io.err((error as Error).message);
      return EXIT.usage;
    }
    const passphrase = passphraseOf(io, values['passphrase-file']);
    if (values.verify) {
      try {
        const summary = await verifyBackup(readBackup(createReadStream(values.verify), passphrase));
        io.out(`The backup is whole: ${describe(summary)}.`);
        return EXIT.ok;
      } catch (error) {
        return reportBackupError(error, io);
      }
    }
    if (!values.out) {
      io.err('--out <file> (or -) is required');
      return EXIT.usage;
    }
    if (passphrase === null && !values.unencrypted) {
      io.err(`A backup is encrypted: set STOA_BACKUP_PASSPHRASE or give --passphrase-file, or ask for --unencrypted.`);
      return EXIT.usage;
    }
    const out = values.out;
    return withDatabase(io, async (db, config) => {
      const blobs = createBlobStore(config.blobs);
      const about = { stoa: STOA_VERSION, domain: config.domain, secret: config.secret, now: new Date().toISOString() };
      const key = values.unencrypted ? null : passphrase;
      let counts;
      if (out === '-') {
        const writer = backupWriter(process.stdout, key);
        counts = await takeBackup(db, blobs, about, writer.write);
        await writer.finish(counts);
      } else {
        counts = await backupToFile(db, blobs, about, out, key);
        await recordVerifiedBackup(db, about.now, new Date().toISOString());
      }
      const rows = Object.values(counts.tables).reduce((a, b) => a + b, 0);
      io.err(
        `Backup written${out === '-' ? '' : ` to ${out} and read back whole`}: ${rows} rows, ${counts.blobs} media files (${counts.blobBytes} bytes)${key === null ? ', not encrypted' : ', encrypted'}.`,
      );
      return EXIT.ok;
    });
  },
};

/** `stoa restore`: a backup into the configured, empty database and media store. */
export const restoreCommand: Command = {
  name: 'restore',
  summary: 'restore a backup into an empty database and media store',
  help: `Usage: stoa restore <file|-> [--force] [--passphrase-file F]

Restores an archive written by stoa backup into the configured database (SQLite or PostgreSQL,
whichever the backup came from) and media store, and the server secret into the data folder. The
database must hold no accounts, posts or apps, unless --force is given (what it holds is replaced).
Nothing is changed unless the whole archive reads and checks out; a newer Stoa runs its newer
migrations after loading an older backup. ${PASSPHRASE_HELP}`,
  async run(args, io) {
    let parsed;
    try {
      parsed = parseArgs({ args, options: { force: { type: 'boolean' }, 'passphrase-file': { type: 'string' } }, allowPositionals: true });
    } catch (error) {
      io.err((error as Error).message);
      return EXIT.usage;
    }
    const [file] = parsed.positionals;
    if (!file) {
      io.err('Usage: stoa restore <file|-> [--force] [--passphrase-file F]');
      return EXIT.usage;
    }
    if (file === '-' && parsed.values.force) {
      // A file is read through before anything is replaced; standard input can be read only once.
      io.err('--force needs a file: standard input cannot be checked whole before the database is replaced');
      return EXIT.usage;
    }
    const passphrase = passphraseOf(io, parsed.values['passphrase-file']);
    const config = loadConfigOrReport(io);
    if (typeof config === 'number') return config;
    const db = openDatabase(config.database, createLogger('silent'));
    try {
      const input: Readable = file === '-' ? process.stdin : createReadStream(file);
      let summary: BackupSummary;
      try {
        // A file is read through once before anything changes; standard input is checked as it is loaded.
        if (file !== '-') await verifyBackup(readBackup(createReadStream(file), passphrase));
        summary = await restoreBackup(db, createBlobStore(config.blobs), readBackup(input, passphrase), {
          force: parsed.values.force === true,
          checkSecret: (secret) => {
            if (config.secretSource === 'environment' && secret !== config.secret)
              throw new BackupError(
                "STOA_SECRET is set to another secret than the backup's: unset it, so that the backup's is written to the data folder",
              );
          },
          reindex: (tx, secret) => rebuildSearchIndex(tx, db.engine, secret).then(() => undefined),
        });
      } catch (error) {
        if (error instanceof BackupError) return reportBackupError(error, io);
        return reportStartupError(error, config, io);
      }
      if (config.secretSource === 'file') writeSecret(config, summary.secret);
      io.out(`Restored ${describe(summary)}.`);
      if (summary.manifest.domain !== config.domain)
        io.err(
          `The backup is of ${summary.manifest.domain}: run the server with STOA_DOMAIN=${summary.manifest.domain}, ` +
            `or move it to ${config.domain} first with 'stoa domain move --yes'.`,
        );
      return EXIT.ok;
    } finally {
      await db.close();
    }
  },
};

function writeSecret(config: Config, secret: string): void {
  const path = join(config.dataDir, SECRET_FILE);
  writeFileSync(`${path}.new`, `${secret}\n`, { mode: 0o600 });
  renameSync(`${path}.new`, path);
}

function reportBackupError(error: unknown, io: CliIo): number {
  if (error instanceof BackupError) {
    io.err(`Stoa cannot use this backup: ${error.message}.`);
    return EXIT.failure;
  }
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
    io.err(`Stoa cannot read the backup: ${(error as Error).message}`);
    return EXIT.failure;
  }
  throw error;
}
