import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { localEmojis, SHORTCODE } from '../domain/emoji/custom-emojis.ts';
import { DomainError } from '../domain/errors.ts';
import { createMediaService } from '../domain/media/media.service.ts';
import { systemClock } from '../lib/clock.ts';
import { createLogger } from '../lib/logger.ts';
import { createBlobStore } from '../storage/blobs/create-blob-store.ts';
import { memoryRateLimiter } from '../storage/cache/rate-limiter.ts';
import { EXIT, refusalsAsMessages, type Command } from './command.ts';
import { cliCommands, withDatabase } from './with-database.ts';

const HELP = `Usage: stoa emoji <command> [options]

Commands:
  add <shortcode> <image> [--category NAME]   add a custom emoji (or replace its image) from a PNG,
                                              GIF, WebP or JPEG file of at most 256 KB
  import <folder> [--category NAME]           add every image in a folder, each named after its
                                              file (blobcat.png becomes :blobcat:)
  category <shortcode> <NAME | "">            put an emoji in a category (an empty name: none)
  hide <shortcode> | show <shortcode>         leave an emoji out of the apps' pickers, or put it back
  remove <shortcode>                          remove a custom emoji
  list                                        list this server's custom emoji

Images are re-encoded like any upload (at most 128 pixels, animation kept) and federated with the
posts and profiles that use them.`;

const IMAGE_FILES = new Set(['.png', '.gif', '.webp', '.jpg', '.jpeg']);

/** `stoa emoji ...`: the operator's custom emoji. */
export const emojiCommand: Command = {
  name: 'emoji',
  summary: 'add, import, categorise and remove custom emoji',
  help: HELP,
  async run(args, io) {
    let parsed;
    try {
      parsed = parseArgs({ args, allowPositionals: true, options: { category: { type: 'string' } } });
    } catch (error) {
      io.err((error as Error).message);
      return EXIT.usage;
    }
    const [sub, ...positionals] = parsed.positionals;
    const category = parsed.values.category;
    const usage = () => {
      io.err(HELP);
      return EXIT.usage;
    };
    const work = async (
      task: (commands: ReturnType<typeof cliCommands>, images: ReturnType<typeof createMediaService>) => Promise<number>,
    ) =>
      withDatabase(io, async (db, config) => {
        const commands = cliCommands(db, config);
        const images = createMediaService({
          db,
          clock: systemClock,
          config,
          blobs: createBlobStore(config.blobs),
          limiter: memoryRateLimiter(systemClock),
          logger: createLogger('warn'),
          run: commands.run,
        });
        try {
          return await refusalsAsMessages(io, () => task(commands, images));
        } finally {
          images.close();
        }
      });

    switch (sub) {
      case 'add': {
        const [shortcode, file] = positionals;
        if (!shortcode || !file || positionals.length > 2) return usage();
        return work(async ({ emojis }, images) => {
          await emojis.add(images, { shortcode, image: await readFile(resolve(io.cwd, file)), category });
          io.out(`:${shortcode.replace(/^:|:$/g, '')}: added.`);
          return EXIT.ok;
        });
      }
      case 'import': {
        const [folder] = positionals;
        if (!folder || positionals.length > 1) return usage();
        const dir = resolve(io.cwd, folder);
        if (!(await stat(dir).catch(() => null))?.isDirectory()) {
          io.err(`${folder} is not a folder`);
          return EXIT.usage;
        }
        return work(async ({ emojis }, images) => {
          let added = 0;
          let skipped = 0;
          for (const name of (await readdir(dir)).sort()) {
            const shortcode = basename(name, extname(name));
            if (!IMAGE_FILES.has(extname(name).toLowerCase()) || !SHORTCODE.test(shortcode)) continue;
            try {
              await emojis.add(images, { shortcode, image: await readFile(join(dir, name)), category });
              added += 1;
            } catch (error) {
              if (!(error instanceof DomainError)) throw error;
              io.err(`${name}: ${error.publicMessage}`);
              skipped += 1;
            }
          }
          io.out(`${added} emoji imported${skipped ? `, ${skipped} skipped` : ''}.`);
          return skipped && !added ? EXIT.failure : EXIT.ok;
        });
      }
      case 'category':
      case 'hide':
      case 'show': {
        const [shortcode, name] = positionals;
        if (!shortcode || (sub === 'category' ? name === undefined : name !== undefined)) return usage();
        return work(async ({ emojis }) => {
          await emojis.update(shortcode, sub === 'category' ? { category: name! } : { visibleInPicker: sub === 'show' });
          io.out(`:${shortcode.replace(/^:|:$/g, '')}: updated.`);
          return EXIT.ok;
        });
      }
      case 'remove': {
        const [shortcode] = positionals;
        if (!shortcode || positionals.length > 1) return usage();
        return work(async ({ emojis }) => {
          await emojis.remove(shortcode);
          io.out(`:${shortcode.replace(/^:|:$/g, '')}: removed.`);
          return EXIT.ok;
        });
      }
      case 'list':
        return withDatabase(io, async (db) => {
          io.out(['shortcode', 'category', 'picker'].join('\t'));
          for (const e of await localEmojis(db.read))
            io.out([`:${e.shortcode}:`, e.category ?? '', e.visible_in_picker ? 'shown' : 'hidden'].join('\t'));
          return EXIT.ok;
        });
      default:
        return usage();
    }
  },
};
