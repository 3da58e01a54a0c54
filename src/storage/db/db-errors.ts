/**
 * Whether an error is a unique-constraint violation, on either engine: PostgreSQL's SQLSTATE 23505 or
 * SQLite's SQLITE_CONSTRAINT_UNIQUE / PRIMARYKEY. Repositories turn it into a domain `Conflict`.
 */
export function isUniqueViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, errcode } = error as { code?: unknown; errcode?: unknown };
  if (code === '23505') return true;
  // node:sqlite reports the extended result code: 2067 UNIQUE, 1555 PRIMARYKEY.
  return code === 'ERR_SQLITE_ERROR' && (errcode === 2067 || errcode === 1555);
}

/** Whether an error is a foreign-key violation on either engine (SQLSTATE 23503, SQLITE_CONSTRAINT_FOREIGNKEY). */
export function isForeignKeyViolation(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, errcode } = error as { code?: unknown; errcode?: unknown };
  return code === '23503' || (code === 'ERR_SQLITE_ERROR' && errcode === 787);
}

/** Reads a boolean column the same way on both engines (SQLite stores 0 and 1). */
export function toBool(value: boolean | number | bigint | null | undefined): boolean {
  return value === true || value === 1 || value === 1n;
}
