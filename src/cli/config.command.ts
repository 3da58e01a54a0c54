import { describeConfig } from '../config/index.ts';
import { EXIT, type Command } from './command.ts';
import { loadConfigOrReport } from './load.ts';

/** `stoa config check`: validates the configuration and prints it with secrets masked. */
export const configCommand: Command = {
  name: 'config',
  summary: 'check the configuration (stoa config check)',
  help: `Usage: stoa config check

Reads the environment and ./.env, reports every problem at once, and prints the
effective configuration with passwords and secrets masked. Exits 78 if the
configuration is invalid.`,
  async run(args, io) {
    if (args.length !== 1 || args[0] !== 'check') {
      io.err(`Usage: stoa config check`);
      return Promise.resolve(EXIT.usage);
    }
    const config = loadConfigOrReport(io);
    if (typeof config === 'number') return config;
    for (const line of describeConfig(config)) io.out(line);
    io.out('The configuration is valid.');
    return Promise.resolve(EXIT.ok);
  },
};
