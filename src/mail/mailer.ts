import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type { Config } from '../config/index.ts';
import { Unavailable } from '../domain/errors.ts';
import type { Logger } from '../lib/logger.ts';

/** One plain-text message. */
export interface Mail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

/** Sends mail; throws `Unavailable` when it cannot, so that what depends on the mail fails closed. */
export interface Mailer {
  send(mail: Mail): Promise<void>;
}

/**
 * Mail through the configured SMTP server, or, with none, as `.eml` files under `<dataDir>/mail/` (readable
 * by the server's user alone), so that a fresh install can confirm accounts with no mail server at all. The
 * links in them (confirmations, password resets) are never written to the log: whoever reads the logs must
 * not be able to take over accounts. That mail goes to files is said once, when the mailer is made.
 */
export function createMailer(config: Pick<Config, 'mail' | 'dataDir'>, logger: Logger): Mailer {
  const log = logger.child({ category: 'mail' });
  if (config.mail.smtpUrl) {
    const url = new URL(config.mail.smtpUrl);
    const transport = nodemailer.createTransport({
      host: url.hostname,
      port: url.port ? Number(url.port) : url.protocol === 'smtps:' ? 465 : 587,
      secure: url.protocol === 'smtps:',
      auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
    });
    return {
      async send(mail) {
        try {
          await transport.sendMail({ from: config.mail.from, ...mail });
        } catch (error) {
          log.error({ err: error instanceof Error ? error.message : String(error) }, 'mail not sent');
          throw new Unavailable('Mail cannot be sent right now; please try again later');
        }
      },
    };
  }
  const folder = join(config.dataDir, 'mail');
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  log.info({ folder }, 'no SMTP_URL set: mail is written to files in this folder, not sent');
  return {
    async send(mail) {
      try {
        const info = await transport.sendMail({ from: config.mail.from, ...mail });
        mkdirSync(folder, { recursive: true, mode: 0o700 });
        const file = join(folder, `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}.eml`);
        writeFileSync(file, info.message as Buffer, { mode: 0o600 });
        log.info({ file }, 'mail written to a file (no SMTP_URL set)');
      } catch (error) {
        log.error({ err: error instanceof Error ? error.message : String(error) }, 'mail not written');
        throw new Unavailable('Mail cannot be sent right now; please try again later');
      }
    },
  };
}
