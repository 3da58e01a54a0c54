import type { DbReader, DbWriter } from '../../storage/db/database.ts';

/** The names of the server's own settings (`server_settings`). */
export type ServerSettingName = 'domain' | 'former_domains' | 'closing_until' | 'backup_verified_at';

/** A setting's value, or undefined when it was never recorded. */
export async function readServerSetting(db: DbReader, name: ServerSettingName): Promise<string | undefined> {
  const row = await db.selectFrom('server_settings').select('value').where('name', '=', name).executeTakeFirst();
  return row?.value;
}

/** Records a setting, replacing what was recorded. */
export async function recordServerSetting(tx: DbWriter, name: ServerSettingName, value: string, now: string): Promise<void> {
  await tx
    .insertInto('server_settings')
    .values({ name, value, updated_at: now })
    .onConflict((c) => c.column('name').doUpdateSet({ value, updated_at: now }))
    .execute();
}

/** Forgets a setting. */
export async function forgetServerSetting(tx: DbWriter, name: ServerSettingName): Promise<void> {
  await tx.deleteFrom('server_settings').where('name', '=', name).execute();
}

/** The host of one local account's URI, or undefined without local accounts. */
export async function localAccountHost(db: DbReader): Promise<string | undefined> {
  const row = await db.selectFrom('accounts').select('uri').where('domain', 'is', null).orderBy('id').limit(1).executeTakeFirst();
  if (!row) return undefined;
  try {
    return new URL(row.uri).host;
  } catch {
    return undefined;
  }
}

/** A setting as this process last read it, read again every `refreshMs` (so that every process sees a change). */
export interface WatchedSetting {
  value(): string | null;
  reload(): Promise<void>;
  close(): void;
}

/** Watches a setting: read once by `reload()` (which the server awaits at start), then every `refreshMs`. */
export function watchSetting(db: DbReader, name: ServerSettingName, refreshMs: number): WatchedSetting {
  let value: string | null = null;
  const reload = async () => {
    value = (await readServerSetting(db, name)) ?? null;
  };
  const timer = setInterval(() => void reload().catch(() => undefined), refreshMs);
  timer.unref();
  return { value: () => value, reload, close: () => clearInterval(timer) };
}
