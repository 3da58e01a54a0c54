import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './config.ts';

/** Name of the file, inside the data folder, that keeps a generated server secret. */
export const SECRET_FILE = 'secret';

/**
 * Returns the configured secret, or the one kept in `<dataDir>/secret`, generating that file (mode 0600)
 * the first time. The file is part of every backup: losing it invalidates sessions and signed links.
 */
export function resolveSecret(configured: string | undefined, dataDir: string): { secret: string; source: 'environment' | 'file' } {
  if (configured !== undefined) return { secret: configured, source: 'environment' };
  const path = join(dataDir, SECRET_FILE);
  try {
    const existing = readFileSync(path, 'utf8').trim();
    if (existing.length < 32)
      throw new ConfigError([`the secret file ${path} is shorter than 32 characters; delete it to have a new one generated`]);
    chmodSync(path, 0o600);
    return { secret: existing, source: 'file' };
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw unreadable(path, error);
  }
  const secret = randomBytes(48).toString('base64url');
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(path, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another process started at the same moment and wrote it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return resolveSecret(undefined, dataDir);
    throw unreadable(path, error);
  }
  return { secret, source: 'file' };
}

function unreadable(path: string, error: unknown): ConfigError {
  const reason = (error as NodeJS.ErrnoException).code ?? 'unknown error';
  return new ConfigError([`STOA_DATA_DIR: cannot read or create the secret file ${path} (${reason}); check the folder's permissions`]);
}
