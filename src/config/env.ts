import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';

/** The raw environment: names to string values, as read from the process and an optional `.env` file. */
export type RawEnv = Readonly<Record<string, string | undefined>>;

/**
 * Reads the environment once: the process's variables over those of `<cwd>/.env` if that file exists.
 * This module is the only place in Stoa that touches `process.env`.
 */
export function readEnv(cwd: string = process.cwd()): RawEnv {
  return Object.freeze({ ...readDotEnv(join(cwd, '.env')), ...process.env });
}

function readDotEnv(path: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  return parseEnv(text) as Record<string, string>;
}
