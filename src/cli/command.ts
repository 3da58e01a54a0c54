import { DomainError } from '../domain/errors.ts';
import type { RawEnv } from '../config/index.ts';

/** Where a command writes and what it reads; tests pass their own. */
export interface CliIo {
  readonly env: RawEnv;
  readonly cwd: string;
  out(line: string): void;
  err(line: string): void;
}

/** One `stoa` command: its words, its help, and what it does. Returns the process's exit code. */
export interface Command {
  readonly name: string;
  readonly summary: string;
  /** The full `--help` text. */
  readonly help: string;
  run(args: string[], io: CliIo): Promise<number>;
}

/** Exit codes (from sysexits): the operator can tell a usage mistake from a bad configuration. */
export const EXIT = Object.freeze({ ok: 0, failure: 1, usage: 64, unavailable: 69, config: 78 });

/** Runs a command's work, turning a refusal of the domain (not found, not allowed, invalid) into a message. */
export async function refusalsAsMessages(io: CliIo, work: () => Promise<number>): Promise<number> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    io.err(error.publicMessage);
    return EXIT.failure;
  }
}
