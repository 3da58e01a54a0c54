import { createHmac, createSecretKey, hkdfSync, randomBytes } from 'node:crypto';
import { isoAt, type Clock } from '../../lib/clock.ts';
import type { SecretBox } from '../../lib/secret-box.ts';
import { matchTotp, newTotpSecret, totpUri } from '../../lib/totp.ts';
import type { Db } from '../../storage/db/database.ts';
import { Invalid, NotFound, Unauthorized } from '../errors.ts';

const RECOVERY_CODES = 10;

/** TOTP second factor (RFC 6238) with single-use recovery codes. */
export interface TotpService {
  /** Starts enrolment: a new seed (kept encrypted, not yet active) and its otpauth URI for a QR code. */
  begin(accountId: string, label: string, issuer: string): Promise<{ secret: string; uri: string }>;
  /** Activates TOTP once the app shows a valid code; returns the recovery codes, shown once. */
  confirm(accountId: string, code: string): Promise<string[]>;
  disable(accountId: string): Promise<void>;
  /** Accepts a current TOTP code (once) or an unused recovery code (used up); throws otherwise. */
  verify(accountId: string, code: string): Promise<'totp' | 'recovery'>;
}

/** The TOTP service; seeds are sealed in `box`, recovery codes kept as keyed hashes. */
export function createTotpService(db: Db, clock: Clock, box: SecretBox, serverSecret: string): TotpService {
  const codeKey = createSecretKey(Buffer.from(hkdfSync('sha256', serverSecret, 'stoa', 'recovery-codes', 32)));
  const hashCode = (code: string) => createHmac('sha256', codeKey).update(code.trim().toLowerCase().replace(/\s/g, '')).digest('base64url');
  const seedOf = async (accountId: string) => {
    const user = await db.read
      .selectFrom('users')
      .select(['totp_secret', 'totp_enabled_at', 'totp_last_step'])
      .where('account_id', '=', accountId)
      .executeTakeFirst();
    if (!user) throw new NotFound();
    return { ...user, seed: user.totp_secret ? box.open(user.totp_secret) : null };
  };
  /** Accepts a code for a step after the last one used, and records it. */
  const acceptCode = async (accountId: string, seed: string, lastStep: number | null, code: string) => {
    const step = matchTotp(seed, code.trim(), clock());
    if (step === null || (lastStep !== null && step <= lastStep)) return false;
    await db.transaction((tx) => tx.updateTable('users').set({ totp_last_step: step }).where('account_id', '=', accountId).execute());
    return true;
  };

  return {
    async begin(accountId, label, issuer) {
      const secret = newTotpSecret();
      await db.transaction((tx) =>
        tx
          .updateTable('users')
          .set({ totp_secret: box.seal(secret), totp_enabled_at: null, totp_last_step: null, updated_at: isoAt(clock) })
          .where('account_id', '=', accountId)
          .execute(),
      );
      return { secret, uri: totpUri(secret, label, issuer) };
    },
    async confirm(accountId, code) {
      const state = await seedOf(accountId);
      if (!state.seed) throw new Invalid('Start setting up two-factor authentication first');
      if (!(await acceptCode(accountId, state.seed, state.totp_last_step, code))) {
        throw new Invalid('That code is not valid; check the time on your device and try again', {
          code: [{ error: 'ERR_INVALID', description: 'is not valid' }],
        });
      }
      const codes = Array.from({ length: RECOVERY_CODES }, () => {
        const raw = randomBytes(6).toString('hex');
        return `${raw.slice(0, 6)}-${raw.slice(6)}`;
      });
      await db.transaction(async (tx) => {
        await tx
          .updateTable('users')
          .set({ totp_enabled_at: isoAt(clock), updated_at: isoAt(clock) })
          .where('account_id', '=', accountId)
          .execute();
        await tx.deleteFrom('recovery_codes').where('account_id', '=', accountId).execute();
        await tx
          .insertInto('recovery_codes')
          .values(codes.map((c) => ({ code_hash: hashCode(c), account_id: accountId })))
          .execute();
      });
      return codes;
    },
    async disable(accountId) {
      await db.transaction(async (tx) => {
        await tx
          .updateTable('users')
          .set({ totp_secret: null, totp_enabled_at: null, totp_last_step: null, updated_at: isoAt(clock) })
          .where('account_id', '=', accountId)
          .execute();
        await tx.deleteFrom('recovery_codes').where('account_id', '=', accountId).execute();
      });
    },
    async verify(accountId, code) {
      const state = await seedOf(accountId);
      if (state.seed && state.totp_enabled_at && /^\s*\d{6}\s*$/.test(code)) {
        if (await acceptCode(accountId, state.seed, state.totp_last_step, code)) return 'totp';
        throw new Unauthorized('Invalid two-factor code');
      }
      const used = await db.transaction((tx) =>
        tx
          .deleteFrom('recovery_codes')
          .where('account_id', '=', accountId)
          .where('code_hash', '=', hashCode(code))
          .returning('code_hash')
          .executeTakeFirst(),
      );
      if (!used) throw new Unauthorized('Invalid two-factor code');
      return 'recovery';
    },
  };
}
