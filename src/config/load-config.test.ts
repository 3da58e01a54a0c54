import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, describeConfig, loadConfig, readEnv } from './index.ts';

const tempDir = () => mkdtempSync(join(tmpdir(), 'stoa-config-'));

function problemsOf(env: Record<string, string>): readonly string[] {
  try {
    loadConfig({ STOA_SECRET: 'x'.repeat(32), ...env }, tempDir());
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const cwd = tempDir();
    const config = loadConfig({}, cwd);
    assert.equal(config.domain, 'localhost:3000');
    assert.equal(config.port, 3000);
    assert.equal(config.bind, '127.0.0.1');
    assert.equal(config.dataDir, join(cwd, 'data'));
    assert.deepEqual(config.database, { engine: 'sqlite', path: join(cwd, 'data', 'stoa.sqlite') });
    assert.equal(config.redisUrl, null);
    assert.deepEqual(config.trustedProxies, []);
    assert.equal(config.publicUrl, 'http://localhost:3000', 'plain HTTP only because the domain is loopback');
    assert.ok(Object.isFrozen(config) && Object.isFrozen(config.instance));
  });

  it('uses https for a public domain unless STOA_INSECURE_HTTP says otherwise', () => {
    const cwd = tempDir();
    assert.equal(loadConfig({ STOA_DOMAIN: 'Social.Example.org' }, cwd).publicUrl, 'https://social.example.org');
    assert.equal(loadConfig({ STOA_DOMAIN: 'social.example.org', STOA_INSECURE_HTTP: 'true' }, cwd).publicUrl, 'http://social.example.org');
    assert.equal(loadConfig({ STOA_DOMAIN: 'localhost:3000', STOA_INSECURE_HTTP: 'false' }, cwd).publicUrl, 'https://localhost:3000');
  });

  it('reports every problem at once, naming each variable', () => {
    const problems = problemsOf({ STOA_PORT: 'abc', DATABASE_URL: 'mysql://x' });
    assert.equal(problems.length, 2);
    assert.match(
      problems.find((p) => p.startsWith('STOA_PORT'))!,
      /whole number.*"abc"/,
    );
    assert.match(
      problems.find((p) => p.startsWith('DATABASE_URL'))!,
      /postgres:\/\/.*"mysql:\/\/x"/,
    );
    const message = new ConfigError(problems).message;
    assert.match(message, /STOA_PORT/);
    assert.match(message, /DATABASE_URL/);
  });

  it('refuses malformed values of every kind', () => {
    const problems = problemsOf({
      STOA_DOMAIN: 'https://example.org/path',
      STOA_PORT: '70000',
      STOA_BIND: 'not an address',
      REDIS_URL: 'http://redis',
      STOA_SECRET: 'short',
      STOA_TRUSTED_PROXIES: '10.0.0.1, 10.0.0.0/99, proxy.example',
      STOA_INSECURE_HTTP: 'maybe',
      STOA_LOG_LEVEL: 'loud',
      STOA_CONTACT_EMAIL: 'nobody',
    });
    const named = new Set(problems.map((p) => p.split(' ')[0]));
    for (const name of [
      'STOA_DOMAIN',
      'STOA_PORT',
      'STOA_BIND',
      'REDIS_URL',
      'STOA_SECRET',
      'STOA_TRUSTED_PROXIES',
      'STOA_INSECURE_HTTP',
      'STOA_LOG_LEVEL',
      'STOA_CONTACT_EMAIL',
    ]) {
      assert.ok(named.has(name), `${name} should be reported in ${JSON.stringify(problems)}`);
    }
    assert.ok(problems.some((p) => p.includes('10.0.0.0/99')));
    assert.ok(problems.some((p) => p.includes('proxy.example')));
  });

  it('reads the rules from a file (comments and blank lines skipped), and refuses a missing or oversized one', () => {
    const dir = tempDir();
    const file = join(dir, 'rules.txt');
    writeFileSync(file, '# house rules\n\nBe kind.\n  No spam.  \n');
    assert.deepEqual(loadConfig({ STOA_SECRET: 'x'.repeat(32), STOA_RULES_FILE: file }, dir).instance.rules, ['Be kind.', 'No spam.']);
    assert.deepEqual(loadConfig({ STOA_SECRET: 'x'.repeat(32) }, tempDir()).instance.rules, [], 'no rules without a file');
    assert.match(problemsOf({ STOA_RULES_FILE: join(dir, 'missing.txt') })[0]!, /STOA_RULES_FILE cannot be read: ENOENT/);
    writeFileSync(file, Array.from({ length: 51 }, (_, i) => `rule ${i}`).join('\n'));
    assert.match(problemsOf({ STOA_RULES_FILE: file })[0]!, /at most 50/);
    writeFileSync(file, 'x'.repeat(501));
    assert.match(problemsOf({ STOA_RULES_FILE: file })[0]!, /longer than 500/);
  });

  it('never echoes a rejected secret back', () => {
    const problems = problemsOf({ STOA_SECRET: 'hunter2-is-my-password' });
    assert.equal(problems.length, 1);
    assert.doesNotMatch(problems[0]!, /hunter2/);
  });

  it('selects PostgreSQL from a postgres:// URL and SQLite from a sqlite: path', () => {
    const cwd = tempDir();
    assert.deepEqual(loadConfig({ DATABASE_URL: 'postgres://stoa:pw@db:5432/stoa' }, cwd).database, {
      engine: 'postgres',
      url: 'postgres://stoa:pw@db:5432/stoa',
    });
    assert.deepEqual(loadConfig({ DATABASE_URL: 'sqlite:db/x.sqlite' }, cwd).database, {
      engine: 'sqlite',
      path: join(cwd, 'db/x.sqlite'),
    });
    assert.deepEqual(loadConfig({ DATABASE_URL: 'sqlite:///var/x.sqlite' }, cwd).database, { engine: 'sqlite', path: '/var/x.sqlite' });
  });

  it('generates the secret once, keeps it with mode 0600, and reuses it', () => {
    const cwd = tempDir();
    const first = loadConfig({}, cwd);
    const file = join(cwd, 'data', 'secret');
    assert.equal(first.secretSource, 'file');
    assert.ok(first.secret.length >= 32);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(readFileSync(file, 'utf8').trim(), first.secret);
    assert.equal(loadConfig({}, cwd).secret, first.secret);
    assert.equal(loadConfig({ STOA_SECRET: 'y'.repeat(40) }, cwd).secret, 'y'.repeat(40));
  });

  it('masks secrets and passwords when describing the configuration', () => {
    const config = loadConfig(
      {
        STOA_SECRET: 's3cr3t-s3cr3t-s3cr3t-s3cr3t-s3cr3t',
        DATABASE_URL: 'postgres://stoa:dbpass@db/stoa',
        REDIS_URL: 'redis://:redispass@cache:6379',
      },
      tempDir(),
    );
    const text = describeConfig(config).join('\n');
    assert.doesNotMatch(text, /s3cr3t|dbpass|redispass/);
    assert.match(text, /postgres:\/\/stoa:\*+@db\/stoa/);
  });

  it('keeps media in the data folder unless S3 is configured, and wants all of S3 or none of it', () => {
    const cwd = tempDir();
    const local = loadConfig({}, cwd);
    assert.deepEqual(local.blobs, { kind: 'local', directory: join(cwd, 'data', 'media') });
    assert.equal(local.media.baseUrl, 'http://localhost:3000/media');
    const s3 = {
      STOA_S3_ENDPOINT: 'http://127.0.0.1:9000/',
      STOA_S3_BUCKET: 'stoa-media',
      STOA_S3_ACCESS_KEY_ID: 'key',
      STOA_S3_SECRET_ACCESS_KEY: 's3-secret-value',
    };
    const remote = loadConfig({ ...s3, STOA_MEDIA_URL: 'https://media.example.org/' }, cwd);
    assert.equal(remote.blobs.kind, 's3');
    assert.equal(remote.blobs.kind === 's3' && remote.blobs.endpoint, 'http://127.0.0.1:9000');
    assert.equal(remote.media.baseUrl, 'https://media.example.org');
    assert.doesNotMatch(describeConfig(remote).join('\n'), /s3-secret-value/);
    assert.throws(
      () => loadConfig({ STOA_S3_ENDPOINT: 'http://127.0.0.1:9000' }, cwd),
      (e: unknown) => e instanceof ConfigError && /must be set together/.test(e.problems.join()),
    );
    assert.throws(() => loadConfig({ ...s3, STOA_S3_BUCKET: 'Bad_Bucket' }, cwd), ConfigError);
  });
});

describe('readEnv', () => {
  it('reads ./.env, with the process environment taking precedence', () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, '.env'), 'STOA_NAME="From the file"\nPATH=/nowhere\n# a comment\n');
    const env = readEnv(cwd);
    assert.equal(env.STOA_NAME, 'From the file');
    assert.notEqual(env.PATH, '/nowhere');
  });

  it('is empty-handed but fine without a .env file', () => {
    assert.equal(readEnv(tempDir()).STOA_NAME_THAT_DOES_NOT_EXIST, undefined);
  });
});

describe('loadConfig error messages', () => {
  it('masks the password of a rejected URL', () => {
    const problems = problemsOf({ DATABASE_URL: 'mysql://root:topsecret@db/x' });
    assert.equal(problems.length, 1);
    assert.doesNotMatch(problems[0]!, /topsecret/);
    assert.match(problems[0]!, /mysql:\/\/root:\*+@db\/x/);
  });
});
