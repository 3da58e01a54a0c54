import type { Engine } from '../database.ts';

/** Column types that differ between the engines; migrations use these instead of spelling types. */
export function columnTypes(engine: Engine) {
  return {
    /** ISO-8601 text in SQLite (sorts correctly), `timestamptz` in PostgreSQL. */
    timestamp: engine === 'postgres' ? 'timestamptz' : 'text',
  } as const;
}
