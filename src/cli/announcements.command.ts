import { parseArgs } from 'node:util';
import { allAnnouncements } from '../domain/announcements/announcements.ts';
import { EXIT, refusalsAsMessages, type Command } from './command.ts';
import { cliCommands, withDatabase } from './with-database.ts';

const HELP = `Usage: stoa announcements <command> [options]

Commands:
  add <text> [--starts-at DATE] [--ends-at DATE] [--all-day]
                                publish an announcement to every member (plain text: links and
                                hashtags are linked); shown from --starts-at until --ends-at
  list                          list the announcements (id, from, until, text)
  remove <id>                   remove an announcement

Members see announcements in their apps, dismiss them and react with an emoji.`;

/** `stoa announcements ...`: the operator's announcements to the members. */
export const announcementsCommand: Command = {
  name: 'announcements',
  summary: 'publish, list and remove announcements to the members',
  help: HELP,
  async run(args, io) {
    let parsed;
    try {
      parsed = parseArgs({
        args,
        allowPositionals: true,
        options: { 'starts-at': { type: 'string' }, 'ends-at': { type: 'string' }, 'all-day': { type: 'boolean' } },
      });
    } catch (error) {
      io.err((error as Error).message);
      return EXIT.usage;
    }
    const [sub, ...rest] = parsed.positionals;
    const refusals = (work: () => Promise<number>) => refusalsAsMessages(io, work);
    if (sub === 'add' && rest.length === 1)
      return withDatabase(io, (db, config) =>
        refusals(async () => {
          const id = await cliCommands(db, config).announcements.publish({
            text: rest[0]!,
            startsAt: parsed.values['starts-at'],
            endsAt: parsed.values['ends-at'],
            allDay: parsed.values['all-day'],
          });
          io.out(id);
          return EXIT.ok;
        }),
      );
    if (sub === 'remove' && rest.length === 1)
      return withDatabase(io, (db, config) =>
        refusals(async () => {
          await cliCommands(db, config).announcements.remove(rest[0]!);
          io.out('Removed.');
          return EXIT.ok;
        }),
      );
    if (sub === 'list' && rest.length === 0)
      return withDatabase(io, async (db) => {
        io.out(['id', 'from', 'until', 'text'].join('\t'));
        for (const a of await allAnnouncements(db.read))
          io.out([a.id, a.starts_at ?? a.published_at, a.ends_at ?? '-', a.text.replace(/\s+/g, ' ').slice(0, 60)].join('\t'));
        return EXIT.ok;
      });
    io.err(HELP);
    return EXIT.usage;
  },
};
