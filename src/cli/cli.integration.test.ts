import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createRestAPIClient } from 'masto';
import { createLocalAccount } from '../domain/accounts/accounts.service.ts';
import { systemClock } from '../lib/clock.ts';
import { passwordToken } from '../testing/accounts.ts';
import { createTestDatabase, type TestDatabase } from '../testing/test-database.ts';
import { createApp } from '../app/create-app.ts';
import { startServer } from '../app/server.ts';
import { loadConfig, readEnv } from '../config/index.ts';
import { testEnv } from '../testing/test-app.ts';
import { freePort } from '../testing/free-port.ts';

const BIN = new URL('../../bin/stoa.js', import.meta.url).pathname;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `stoa` as its own process, with only the given environment (plus PATH). */
function stoa(args: string[], env: Record<string, string>, cwd: string, input?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { PATH: readEnv().PATH ?? '', ...env } });
    child.stdin.end(input ?? '');
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function waitFor(url: string, deadlineMs: number): Promise<Response> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    try {
      return await fetch(url);
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

let cwd: string;
let database: TestDatabase;
let env: Record<string, string>;

before(async () => {
  cwd = mkdtempSync(join(tmpdir(), 'stoa-cli-'));
  database = await createTestDatabase();
  env = { DATABASE_URL: database.url, STOA_LOG_LEVEL: 'info', STOA_DOMAIN: 'cli.test' };
});

after(async () => {
  await database.drop();
  rmSync(cwd, { recursive: true, force: true });
});

describe('stoa --help', () => {
  it('lists the commands, and every command has its own help', async () => {
    const top = await stoa(['--help'], env, cwd);
    assert.equal(top.code, 0);
    for (const name of ['serve', 'migrate', 'config']) assert.match(top.stdout, new RegExp(`\\n  ${name} `));
    for (const args of [
      ['serve', '--help'],
      ['migrate', '--help'],
      ['config', 'check', '--help'],
    ]) {
      const run = await stoa(args, env, cwd);
      assert.equal(run.code, 0, args.join(' '));
      assert.match(run.stdout, /^Usage: stoa /, args.join(' '));
    }
  });

  it('refuses an unknown command or option with a usage error', async () => {
    assert.equal((await stoa(['frobnicate'], env, cwd)).code, 64);
    const bad = await stoa(['serve', '--role', 'janitor'], env, cwd);
    assert.equal(bad.code, 64);
    assert.match(bad.stderr, /--role must be one of web, worker, all/);
  });
});

describe('stoa config check', () => {
  it('names every problem of a bad configuration in one message and exits non-zero', async () => {
    const run = await stoa(['config', 'check'], { STOA_PORT: 'abc', DATABASE_URL: 'mysql://x' }, cwd);
    assert.equal(run.code, 78);
    assert.match(run.stderr, /2 problems/);
    assert.match(run.stderr, /STOA_PORT/);
    assert.match(run.stderr, /DATABASE_URL/);
    assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
  });

  it('prints the effective configuration with secrets masked', async () => {
    const run = await stoa(
      ['config', 'check'],
      { STOA_SECRET: 'a-very-secret-value-of-more-than-32-chars', DATABASE_URL: 'postgres://stoa:hunter22@db.internal/stoa' },
      cwd,
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /STOA_DOMAIN\s+localhost:3000/);
    assert.match(run.stdout, /postgres:\/\/stoa:\*+@db\.internal\/stoa/);
    assert.doesNotMatch(run.stdout, /a-very-secret-value|hunter22/);
  });
});

describe('stoa migrate', () => {
  it('applies the migrations once', async () => {
    const first = await stoa(['migrate'], env, cwd);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /applied 0001-/);
    const second = await stoa(['migrate'], env, cwd);
    assert.equal(second.code, 0, second.stderr);
    assert.doesNotMatch(second.stdout, /applied 0001-/);
    assert.match(second.stdout, /up to date/);
  });

  it('explains an unreachable database without a stack trace', async () => {
    const run = await stoa(['migrate'], { DATABASE_URL: 'postgres://stoa:secretpw@127.0.0.1:9/stoa' }, cwd);
    assert.equal(run.code, 69);
    assert.match(run.stderr, /cannot open PostgreSQL at postgres:\/\/stoa:\*+@127\.0\.0\.1:9\/stoa \(ECONNREFUSED\)/);
    assert.doesNotMatch(run.stderr, /secretpw|\n\s+at /);
  });
});

describe('stoa serve', () => {
  it('serves the instance, finishes a request in flight on SIGTERM, then exits cleanly', async () => {
    const port = await freePort();
    const dataDir = join(cwd, 'serve-data');
    const child = spawn(process.execPath, [BIN, 'serve'], {
      cwd,
      env: {
        PATH: readEnv().PATH ?? '',
        ...env,
        STOA_PORT: String(port),
        STOA_DOMAIN: 'cli.test',
        STOA_INSECURE_HTTP: 'true',
        STOA_DATA_DIR: dataDir,
      },
    });
    let logs = '';
    child.stdout.on('data', (d: Buffer) => (logs += d.toString()));
    child.stderr.on('data', (d: Buffer) => (logs += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      const res = await waitFor(`http://127.0.0.1:${port}/api/v2/instance`, 20_000);
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { domain: string }).domain, 'cli.test');
      assert.ok(existsSync(join(dataDir, 'secret')), 'the secret is generated in the data folder');

      // Start a request whose body is still arriving, then ask the server to stop.
      const inFlight = new Promise<number>((resolve, reject) => {
        const [head, tail] = ['{"status":', '"hi"}'];
        const length = String(Buffer.byteLength(head + tail));
        const req = request(
          {
            host: '127.0.0.1',
            port,
            path: '/api/v1/nothing-here',
            method: 'POST',
            headers: { 'content-type': 'application/json', 'content-length': length },
          },
          (r) => {
            r.resume();
            r.on('end', () => resolve(r.statusCode ?? 0));
          },
        );
        req.on('error', reject);
        req.write(head);
        setTimeout(() => {
          child.kill('SIGTERM');
          setTimeout(() => req.end(tail), 300);
        }, 200);
      });
      assert.equal(await inFlight, 404, 'the request in flight was answered');
      assert.equal(await exited, 0);
      assert.match(logs, /"msg":"stopped"/);
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('stoa serve with STOA_MOVED_TO', () => {
  it('opens no database and redirects every request to the same path at the new address', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [BIN, 'serve'], {
      cwd,
      env: {
        PATH: readEnv().PATH ?? '',
        STOA_PORT: String(port),
        STOA_DOMAIN: 'old.example',
        STOA_MOVED_TO: 'https://new.example/',
        // Nothing answers here: a database is never opened.
        DATABASE_URL: 'postgres://stoa:stoa@127.0.0.1:9/stoa',
        STOA_DATA_DIR: join(cwd, 'moved-data'),
      },
    });
    let logs = '';
    child.stderr.on('data', (d: Buffer) => (logs += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      const health = await waitFor(`http://127.0.0.1:${port}/health`, 20_000);
      assert.deepEqual(await health.json(), { status: 'ok', moved_to: 'https://new.example' });
      const actor = await fetch(`http://127.0.0.1:${port}/users/alice?page=2`, {
        redirect: 'manual',
        headers: { accept: 'application/activity+json' },
      });
      assert.equal(actor.status, 301);
      assert.equal(actor.headers.get('location'), 'https://new.example/users/alice?page=2');
      const inbox = await fetch(`http://127.0.0.1:${port}/inbox`, { method: 'POST', body: '{}', redirect: 'manual' });
      assert.equal(inbox.status, 308, 'a POST is redirected with its method and body');
      assert.equal(inbox.headers.get('location'), 'https://new.example/inbox');
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
      assert.match(logs, /moved to https:\/\/new\.example/);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('refuses its own address as the new one', async () => {
    const run = await stoa(['config', 'check'], { STOA_DOMAIN: 'old.example', STOA_MOVED_TO: 'https://old.example' }, cwd);
    assert.equal(run.code, 78);
    assert.match(run.stderr, /STOA_MOVED_TO must be another address/);
    const bad = await stoa(['config', 'check'], { STOA_MOVED_TO: 'new.example/path' }, cwd);
    assert.equal(bad.code, 78);
    assert.match(bad.stderr, /STOA_MOVED_TO must be the new address/);
  });
});

describe('stoa accounts', () => {
  it('creates a confirmed account that a command-line client signs in to with the password grant', async () => {
    const created = await stoa(
      ['accounts', 'create', 'clara', '--email', 'clara@example.org', '--password-stdin', '--confirmed'],
      env,
      cwd,
      'clara has a long password\n',
    );
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /Created @clara \(user, email confirmed\)/);
    assert.doesNotMatch(created.stdout, /clara has a long password/);

    const dataDir = mkdtempSync(join(tmpdir(), 'stoa-cli-app-'));
    const app = await createApp(loadConfig(testEnv(dataDir, database, { STOA_DOMAIN: 'cli.test' })));
    const server = await startServer(app, { port: 0, hostname: '127.0.0.1' });
    try {
      const registered = await fetch(`${server.url}/api/v1/apps`, {
        method: 'POST',
        body: new URLSearchParams({ client_name: 'toot', redirect_uris: 'urn:ietf:wg:oauth:2.0:oob', scopes: 'read' }),
      });
      const { client_id, client_secret } = (await registered.json()) as { client_id: string; client_secret: string };
      const grant = (username: string, password: string) =>
        fetch(`${server.url}/oauth/token`, {
          method: 'POST',
          body: new URLSearchParams({ grant_type: 'password', client_id, client_secret, username, password, scope: 'read' }),
        });
      const byEmail = await grant('clara@example.org', 'clara has a long password');
      assert.equal(byEmail.status, 200, 'the username field accepts the email address');
      const { access_token } = (await byEmail.json()) as { access_token: string };
      const me = await fetch(`${server.url}/api/v1/accounts/verify_credentials`, { headers: { authorization: `Bearer ${access_token}` } });
      assert.equal(((await me.json()) as { username: string }).username, 'clara');
      assert.equal((await grant('clara', 'clara has a long password')).status, 200, 'and the username');

      const promoted = await stoa(['accounts', 'role', 'clara', 'admin'], env, cwd);
      assert.equal(promoted.code, 0, promoted.stderr);
      const listed = await stoa(['accounts', 'list'], env, cwd);
      assert.match(listed.stdout, /^clara\tclara@example\.org\tadmin\tyes\tyes\tno\t/m);

      const reset = await stoa(['accounts', 'reset-password', 'clara'], env, cwd);
      assert.equal(reset.code, 0, reset.stderr);
      const newPassword = /New password for @clara: (\S+)/.exec(reset.stdout)![1]!;
      const after = await fetch(`${server.url}/api/v1/accounts/verify_credentials`, {
        headers: { authorization: `Bearer ${access_token}` },
      });
      assert.equal(after.status, 401, 'a password reset signs the account out everywhere');
      assert.equal((await grant('clara', newPassword)).status, 200);

      const deleted = await stoa(['accounts', 'delete', 'clara'], env, cwd);
      assert.equal(deleted.code, 0, deleted.stderr);
      assert.equal((await grant('clara', newPassword)).status, 400);
    } finally {
      await server.stop(1000);
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('approves a sign-up waiting for the moderators, after which it may sign in', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'stoa-cli-approve-'));
    const app = await createApp(loadConfig(testEnv(dataDir, database, { STOA_DOMAIN: 'cli.test' })));
    const server = await startServer(app, { port: 0, hostname: '127.0.0.1' });
    try {
      await createLocalAccount(app.db, systemClock, app.config, {
        username: 'waiting',
        email: 'waiting@example.org',
        password: 'waiting has a long password',
        confirmed: true,
        approved: false,
      });
      const pending = await stoa(['accounts', 'list'], env, cwd);
      assert.match(pending.stdout, /^waiting\twaiting@example\.org\tuser\tyes\tno\t/m);
      const app1 = await createRestAPIClient({ url: server.url }).v1.apps.create({
        clientName: 'toot',
        redirectUris: 'urn:ietf:wg:oauth:2.0:oob',
        scopes: 'read',
      });
      const token = await passwordToken(server.url, app1, 'waiting', 'waiting has a long password', 'read');
      const me = () => fetch(`${server.url}/api/v1/accounts/verify_credentials`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal((await me()).status, 403, 'an account waiting for approval is refused');

      const approved = await stoa(['accounts', 'approve', 'waiting'], env, cwd);
      assert.equal(approved.code, 0, approved.stderr);
      assert.match(approved.stdout, /@waiting is approved/);
      assert.match((await stoa(['accounts', 'list'], env, cwd)).stdout, /^waiting\twaiting@example\.org\tuser\tyes\tyes\t/m);
      assert.equal((await me()).status, 200);
    } finally {
      await server.stop(1000);
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses a weak password or an unknown role, and names unknown accounts', async () => {
    const weak = await stoa(['accounts', 'create', 'weakling', '--email', 'weak@example.org', '--password', 'password'], env, cwd);
    assert.equal(weak.code, 1);
    assert.match(weak.stderr, /password is one of the most common passwords/);
    assert.equal((await stoa(['accounts', 'role', 'nobody', 'emperor'], env, cwd)).code, 64);
    const missing = await stoa(['accounts', 'delete', 'nobody'], env, cwd);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /No local account named "nobody"/);
  });
});

describe('stoa invites', () => {
  it('creates an invitation link that lists until it is used up', async () => {
    const created = await stoa(['invites', 'create', '--max-uses', '2', '--expires-in-days', '3'], env, cwd);
    assert.equal(created.code, 0, created.stderr);
    const code = /\/auth\/sign_up\?invite=([\w-]{16})$/m.exec(created.stdout)?.[1];
    assert.ok(code, created.stdout);
    const listed = await stoa(['invites', 'list'], env, cwd);
    assert.match(listed.stdout, new RegExp(`invite=${code}\\t0/2\\t`));
    assert.equal((await stoa(['invites', 'create', '--max-uses', 'lots'], env, cwd)).code, 64);
  });
});

describe('stoa moderation and stoa domain-blocks', () => {
  it('suspends, limits and lifts from the shell, every action on a log that verifies and finds tampering', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'stoa-cli-moderation-'));
    const app = await createApp(loadConfig(testEnv(dataDir, database, { STOA_DOMAIN: 'cli.test' })));
    const server = await startServer(app, { port: 0, hostname: '127.0.0.1' });
    try {
      await createLocalAccount(app.db, systemClock, app.config, {
        username: 'troll',
        email: 'troll@example.org',
        password: 'troll has a long password',
        confirmed: true,
      });
      const client = await createRestAPIClient({ url: server.url }).v1.apps.create({
        clientName: 'toot',
        redirectUris: 'urn:ietf:wg:oauth:2.0:oob',
        scopes: 'read',
      });
      const token = await passwordToken(server.url, client, 'troll', 'troll has a long password', 'read');
      const me = () => fetch(`${server.url}/api/v1/accounts/verify_credentials`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal((await me()).status, 200);

      const limited = await stoa(['moderation', 'limit', '@troll', '--reason', 'spam'], env, cwd);
      assert.equal(limited.code, 0, limited.stderr);
      assert.match(limited.stdout, /@troll is limited/);
      const suspended = await stoa(['moderation', 'suspend', 'troll', '--reason', 'threats'], env, cwd);
      assert.equal(suspended.code, 0, suspended.stderr);
      assert.equal((await me()).status, 401, 'the suspended account is signed out');
      assert.equal((await stoa(['moderation', 'unsuspend', 'troll'], env, cwd)).code, 0);
      assert.equal((await stoa(['moderation', 'unlimit', 'troll'], env, cwd)).code, 0);
      const missing = await stoa(['moderation', 'suspend', '@nobody@far.example'], env, cwd);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /No account "@nobody@far\.example"/);

      const log = await stoa(['moderation', 'log', '--limit', '4'], env, cwd);
      assert.equal(log.code, 0, log.stderr);
      const lines = log.stdout.trim().split('\n');
      assert.equal(lines.length, 5, log.stdout);
      assert.deepEqual(
        lines.slice(1).map((l) => l.split('\t').slice(2, 4)),
        [
          ['cli', 'unsilence'],
          ['cli', 'unsuspend'],
          ['cli', 'suspend'],
          ['cli', 'silence'],
        ],
      );
      const verified = await stoa(['moderation', 'log', '--verify'], env, cwd);
      assert.equal(verified.code, 0, verified.stderr);
      assert.match(verified.stdout, /verifies: \d+ entries/);
      const second = lines[3]!.split('\t')[0]!;
      await app.db.transaction((tx) => tx.updateTable('audit_log').set({ action: 'warn' }).where('seq', '=', Number(second)).execute());
      const broken = await stoa(['moderation', 'log', '--verify'], env, cwd);
      assert.equal(broken.code, 1);
      assert.match(broken.stderr, new RegExp(`entry ${second} was changed after it was written`));
      await app.db.transaction((tx) => tx.updateTable('audit_log').set({ action: 'suspend' }).where('seq', '=', Number(second)).execute());
      assert.equal((await stoa(['moderation', 'log', '--verify'], env, cwd)).code, 0);
    } finally {
      await server.stop(1000);
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('adds, lists, imports and removes domain blocks', async () => {
    const added = await stoa(['domain-blocks', 'add', 'Bad.Example', '--severity', 'silence', '--public-comment', 'spam, lots'], env, cwd);
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /bad\.example is blocked \(silence\)/);
    const again = await stoa(['domain-blocks', 'add', 'bad.example'], env, cwd);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already blocked \(silence\)/);
    assert.equal((await stoa(['domain-blocks', 'add', 'bad.example', '--severity', 'nuke'], env, cwd)).code, 64);
    const file = join(cwd, 'blocklist.csv');
    writeFileSync(
      file,
      '#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\nbad.example,suspend,false,false,,false\nworse.example,suspend,true,false,threats,false\n',
    );
    const imported = await stoa(['domain-blocks', 'import', file], env, cwd);
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout, /Blocked 1: worse\.example/);
    assert.match(imported.stdout, /Already blocked, kept as they were: bad\.example/);
    const listed = await stoa(['domain-blocks', 'list'], env, cwd);
    assert.equal(
      listed.stdout.trim(),
      '#domain,#severity,#reject_media,#reject_reports,#public_comment,#obfuscate\nbad.example,silence,false,false,"spam, lots",false\nworse.example,suspend,true,false,threats,false',
    );
    assert.equal((await stoa(['domain-blocks', 'remove', 'bad.example'], env, cwd)).code, 0);
    assert.equal((await stoa(['domain-blocks', 'remove', 'worse.example'], env, cwd)).code, 0);
    const gone = await stoa(['domain-blocks', 'remove', 'bad.example'], env, cwd);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /"bad\.example" is not blocked/);
  });
});

describe('the server’s domain', () => {
  it('is fixed once accounts exist: the server and every command refuse another, naming both, and write nothing', async () => {
    // Accounts were made under cli.test above; a shell without the server's environment would use localhost:3000.
    const elsewhere = { ...env, STOA_DOMAIN: 'localhost:3000' };
    const create = await stoa(
      ['accounts', 'create', 'stray', '--email', 'stray@example.org', '--password-stdin'],
      elsewhere,
      cwd,
      'stray has a long password\n',
    );
    assert.equal(create.code, 78, create.stderr);
    assert.match(create.stderr, /STOA_DOMAIN is localhost:3000, but this database belongs to cli\.test/);
    assert.match(create.stderr, /Run with STOA_DOMAIN=cli\.test/);
    assert.doesNotMatch(create.stderr, /\n\s+at /, 'no stack trace');
    const serve = await stoa(['serve'], { ...elsewhere, STOA_PORT: String(await freePort()), STOA_DATA_DIR: join(cwd, 'elsewhere') }, cwd);
    assert.equal(serve.code, 78, serve.stderr);
    assert.match(serve.stderr, /belongs to cli\.test/);
    const list = await stoa(['accounts', 'list'], env, cwd);
    assert.equal(list.code, 0, list.stderr);
    assert.doesNotMatch(list.stdout, /stray/);
  });

  it('is read from the local accounts of a database from before it was recorded', async () => {
    const app = await createApp(
      loadConfig(testEnv(mkdtempSync(join(tmpdir(), 'stoa-cli-domain-')), database, { STOA_DOMAIN: 'cli.test' })),
    );
    try {
      await app.db.transaction((tx) => tx.deleteFrom('server_settings').execute());
    } finally {
      await app.close();
    }
    const run = await stoa(['accounts', 'list'], { ...env, STOA_DOMAIN: 'other.test' }, cwd);
    assert.equal(run.code, 78, run.stderr);
    assert.match(run.stderr, /belongs to cli\.test/);
    assert.equal((await stoa(['accounts', 'list'], env, cwd)).code, 0);
  });
});

describe('stoa closing', () => {
  it('announces a closing at least 90 days ahead, says so, and takes it back', async () => {
    const day = (days: number) => new Date(Date.now() + days * 24 * 3600_000).toISOString().slice(0, 10);
    const early = await stoa(['closing', 'start', '--until', day(10)], env, cwd);
    assert.equal(early.code, 64);
    assert.match(early.stderr, /at least 90 days/);
    const until = day(100);
    const started = await stoa(['closing', 'start', '--until', until], env, cwd);
    assert.equal(started.code, 0, started.stderr);
    assert.equal((await stoa(['closing', 'status'], env, cwd)).stdout.trim(), `closing on ${until}`);
    assert.equal((await stoa(['closing', 'stop'], env, cwd)).code, 0);
    assert.equal((await stoa(['closing', 'status'], env, cwd)).stdout.trim(), 'open');
  });
});

describe('stoa backup and stoa restore', () => {
  it('write an encrypted backup while asked to, check it, and restore it into an empty database only', async () => {
    const file = join(cwd, 'server.backup');
    const refused = await stoa(['backup', '--out', file], env, cwd);
    assert.equal(refused.code, 64);
    assert.match(refused.stderr, /STOA_BACKUP_PASSPHRASE|--unencrypted/);
    const withPassphrase = { ...env, STOA_BACKUP_PASSPHRASE: 'a long backup passphrase' };
    const written = await stoa(['backup', '--out', file], withPassphrase, cwd);
    assert.equal(written.code, 0, written.stderr);
    assert.match(written.stderr, /Backup written to .*encrypted/);
    const verified = await stoa(['backup', '--verify', file], withPassphrase, cwd);
    assert.equal(verified.code, 0, verified.stderr);
    assert.match(verified.stdout, /The backup is whole: cli\.test/);
    const wrong = await stoa(['backup', '--verify', file], { ...env, STOA_BACKUP_PASSPHRASE: 'not it' }, cwd);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /passphrase does not open this backup/);
    assert.doesNotMatch(wrong.stderr, /\n\s+at /, 'no stack trace');

    const notEmpty = await stoa(['restore', file], withPassphrase, cwd);
    assert.equal(notEmpty.code, 1);
    assert.match(notEmpty.stderr, /not empty/);
    // Replacing a database only from a file read through first: standard input can be read only once.
    const fromStdin = await stoa(['restore', '-', '--force'], withPassphrase, cwd, 'not a backup');
    assert.equal(fromStdin.code, 64);
    assert.match(fromStdin.stderr, /--force needs a file/);
    assert.equal((await stoa(['accounts', 'list'], env, cwd)).code, 0, 'the database is as it was');
    const fresh = await createTestDatabase();
    try {
      const elsewhere = { ...withPassphrase, DATABASE_URL: fresh.url, STOA_DATA_DIR: join(cwd, 'restored-data') };
      const restored = await stoa(['restore', file], elsewhere, cwd);
      assert.equal(restored.code, 0, restored.stderr);
      assert.match(restored.stdout, /Restored cli\.test/);
      const listed = await stoa(['accounts', 'list'], elsewhere, cwd);
      assert.equal(listed.code, 0, listed.stderr);
      assert.ok(listed.stdout.split('\n').length > 2, listed.stdout);
      assert.equal(listed.stdout, (await stoa(['accounts', 'list'], env, cwd)).stdout, 'the same accounts');

      // The restored server moves to a new domain: asked first, then done; the old domain is refused after.
      const moved = { ...elsewhere, STOA_DOMAIN: 'moved.test' };
      assert.match((await stoa(['accounts', 'list'], moved, cwd)).stderr, /stoa domain move/);
      const dry = await stoa(['domain', 'move'], moved, cwd);
      assert.equal(dry.code, 0, dry.stderr);
      assert.match(dry.stdout, /Would move the server from cli\.test to moved\.test/);
      assert.equal((await stoa(['accounts', 'list'], moved, cwd)).code, 78, 'nothing moved without --yes');
      const move = await stoa(['domain', 'move', '--yes'], moved, cwd);
      assert.equal(move.code, 0, move.stderr);
      assert.match(move.stdout, /Moved from https?:\/\/cli\.test to https:\/\/moved\.test: \d+ local accounts/);
      const shown = await stoa(['domain', 'show'], moved, cwd);
      assert.match(shown.stdout, /belongs to moved\.test/);
      assert.equal((await stoa(['accounts', 'list'], moved, cwd)).stdout, listed.stdout, 'the same accounts, under the new domain');
      assert.equal((await stoa(['accounts', 'list'], elsewhere, cwd)).code, 78);
      const again = await stoa(['domain', 'move', '--yes'], moved, cwd);
      assert.equal(again.code, 64);
      assert.match(again.stderr, /Nothing to move/);
    } finally {
      await fresh.drop();
    }
  });
});
