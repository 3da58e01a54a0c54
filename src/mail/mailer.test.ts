import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createLogger } from '../lib/logger.ts';
import { createMailer } from './mailer.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'stoa-mail-'));
after(() => rmSync(dataDir, { recursive: true, force: true }));

describe('mail without an SMTP server', () => {
  it('writes the message to a file only its owner reads, and never puts its link in the log', async () => {
    const lines: string[] = [];
    const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
    const mailer = createMailer({ mail: { smtpUrl: null, from: 'stoa@example.org' }, dataDir }, logger);
    const link = 'https://stoa.example/auth/password/edit?token=live-secret-token-value';
    await mailer.send({ to: 'owner@example.org', subject: 'Reset your password', text: `Open this link:\n${link}\n` });
    const folder = join(dataDir, 'mail');
    const [file] = readdirSync(folder);
    assert.ok(file);
    assert.match(readFileSync(join(folder, file), 'utf8'), /live-secret-token-value/);
    assert.equal(statSync(join(folder, file)).mode & 0o777, 0o600);
    assert.equal(statSync(folder).mode & 0o777, 0o700);
    const log = lines.join('');
    assert.match(log, /mail is written to files/, 'said once, at the start');
    assert.doesNotMatch(log, /live-secret-token-value|auth\/password\/edit/);
  });
});
