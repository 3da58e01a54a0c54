import { parseArgs } from 'node:util';
import { closingUntil, MIN_CLOSING_DAYS, startClosing, stopClosing } from '../domain/instance/closing.ts';
import { Invalid } from '../domain/errors.ts';
import { systemClock } from '../lib/clock.ts';
import { EXIT, type Command } from './command.ts';
import { withDatabase } from './with-database.ts';

const HELP = `Usage: stoa closing <command> [options]

Commands:
  start --until YYYY-MM-DD   announce that the server closes on that day (at least ${MIN_CLOSING_DAYS} days ahead)
  stop                       open the server again
  status                     say whether the server is closing, and when

A closing server is read-only: members can no longer post or change anything, and sign-ups are
closed, but they can still sign in, export their data (Settings, Export) and move their accounts
to another server, which tells their followers. Deliveries go on. Running servers see the change
within seconds.`;

/** `stoa closing ...`: the mode of a server that is shutting down, so that its community is not lost with it. */
export const closingCommand: Command = {
  name: 'closing',
  summary: 'announce that the server closes (read-only; members export and move)',
  help: HELP,
  async run(args, io) {
    const [sub, ...rest] = args;
    if (sub === 'start') {
      let until: string | undefined;
      try {
        ({
          values: { until },
        } = parseArgs({ args: rest, options: { until: { type: 'string' } } }));
      } catch (error) {
        io.err((error as Error).message);
        return EXIT.usage;
      }
      if (!until) {
        io.err('--until YYYY-MM-DD is required');
        return EXIT.usage;
      }
      return withDatabase(io, async (db) => {
        try {
          await startClosing(db, systemClock, until);
        } catch (error) {
          if (!(error instanceof Invalid)) throw error;
          io.err(error.publicMessage);
          return EXIT.usage;
        }
        io.out(`The server is closing on ${until}: it is read-only; members can export their data and move.`);
        return EXIT.ok;
      });
    }
    if (sub === 'stop') {
      return withDatabase(io, async (db) => {
        await stopClosing(db);
        io.out('The server is open again.');
        return EXIT.ok;
      });
    }
    if (sub === 'status') {
      return withDatabase(io, async (db) => {
        const until = await closingUntil(db.read);
        io.out(until ? `closing on ${until}` : 'open');
        return EXIT.ok;
      });
    }
    io.err(HELP);
    return EXIT.usage;
  },
};
