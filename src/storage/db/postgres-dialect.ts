import { PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Logger } from '../../lib/logger.ts';

const TIMESTAMPTZ = 1184;
const TIMESTAMP = 1114;
const INT8 = 20;

/**
 * A Kysely dialect over a `pg` pool whose values read back as SQLite's do: timestamps as ISO-8601
 * strings and 64-bit counts as numbers, so repositories see one shape on both engines.
 */
export function postgresDialect(url: string, logger: Logger, maxConnections = 10): { dialect: PostgresDialect; pool: pg.Pool } {
  const parseTimestamp = pg.types.getTypeParser(TIMESTAMPTZ) as (value: string) => Date;
  const pool = new pg.Pool({
    connectionString: url,
    max: maxConnections,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
    types: {
      getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
        if (oid === TIMESTAMPTZ || oid === TIMESTAMP) return (value: string) => parseTimestamp(value).toISOString();
        if (oid === INT8) return (value: string) => Number(value);
        return pg.types.getTypeParser(oid, format) as (value: string) => unknown;
      }) as typeof pg.types.getTypeParser,
    },
  });
  // An idle client losing its server emits here; without a listener it would crash the process.
  pool.on('error', (error) => logger.error({ err: error.message }, 'PostgreSQL connection lost'));
  return { dialect: new PostgresDialect({ pool }), pool };
}
