import { DomainMismatchError } from '../domain/instance/server-domain.ts';
import { ConfigError, loadConfig, maskUrl, type Config } from '../config/index.ts';
import { MigrationError } from '../storage/db/migrate.ts';
import { EXIT, type CliIo } from './command.ts';

/** Loads the configuration for a command, or reports every problem and returns the exit code. */
export function loadConfigOrReport(io: CliIo): Config | number {
  try {
    return loadConfig(io.env, io.cwd);
  } catch (error) {
    if (error instanceof ConfigError) {
      io.err(error.message);
      return EXIT.config;
    }
    throw error;
  }
}

/** Explains a failure to reach or prepare the database in an operator's words, and picks the exit code. */
export function reportStartupError(error: unknown, config: Config, io: CliIo): number {
  const where =
    config.database.engine === 'sqlite' ? `the SQLite file ${config.database.path}` : `PostgreSQL at ${maskUrl(config.database.url)}`;
  if (error instanceof DomainMismatchError) {
    io.err(`Stoa will not run: ${error.message}`);
    return EXIT.config;
  }
  if (error instanceof MigrationError) {
    io.err(`Stoa cannot start: ${error.message}`);
    return EXIT.failure;
  }
  const detail = describeCause(error);
  io.err(`Stoa cannot start: cannot open ${where} (${detail}).`);
  return EXIT.unavailable;
}

function describeCause(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const { code } = error as NodeJS.ErrnoException;
  if (code) return code;
  // pg reports a refused connection to every address of a host as one AggregateError.
  if (error instanceof AggregateError && error.errors.length) return describeCause(error.errors[0]);
  return error.message;
}
