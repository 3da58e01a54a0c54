import type { Config } from '../../config/index.ts';
import { isoAt, type Clock } from '../../lib/clock.ts';
import type { Logger } from '../../lib/logger.ts';
import { hashPassword } from '../../lib/password-hash.ts';
import type { Mailer } from '../../mail/mailer.ts';
import type { IpBlockSeverity } from '../../storage/db/schema.ts';
import { signUpScreen } from '../moderation/blocks.service.ts';
import { queueJob } from '../jobs.ts';
import { notifyOfModeration } from '../notifications/notify.ts';
import type { RunCommand } from '../unit-of-work.ts';
import type { RateLimiter } from '../../storage/cache/rate-limiter.ts';
import type { Db } from '../../storage/db/database.ts';
import { Forbidden, Invalid, RateLimited, Unavailable, type FieldProblem } from '../errors.ts';
import { staffAccountIds, findUserByLogin, holdUsername, removeUnusedAccount } from './accounts.repo.ts';
import { changePassword, insertLocalAccount, newAccountProblems } from './accounts.service.ts';
import { consumeEmailToken, issueEmailToken } from './email-tokens.ts';
import { countInviteUse, usableInvite } from './invites.repo.ts';
import { passwordProblems } from './password-rules.ts';

/** What a sign-up form or `POST /api/v1/accounts` sends. */
export interface RegistrationInput {
  username: string;
  email: string;
  password: string;
  agreement: boolean;
  locale?: string | undefined;
  reason?: string | undefined;
  inviteCode?: string | undefined;
  ip: string;
}

/** Sign-ups, email confirmation and password resets. */
export interface RegistrationService {
  /**
   * Registers an account and mails a confirmation link. For an address that already has an account the
   * answer is the same (null instead of an id, which callers must not reveal) and the owner is mailed.
   */
  register(input: RegistrationInput): Promise<{ accountId: string | null }>;
  confirmEmail(token: string): Promise<boolean>;
  /** Queues a reset link for the address; does the same work and answers the same whether or not it has an account. */
  requestPasswordReset(email: string, ip: string): Promise<void>;
  /** Mails a reset link if the address has an account (the queued job of `requestPasswordReset`). */
  sendPasswordReset(email: string): Promise<void>;
  resetPassword(token: string, password: string): Promise<boolean>;
}

const PER_IP_SIGNUPS = { limit: 5, windowMs: 60 * 60 * 1000 };
const PER_IP_RESETS = { limit: 5, windowMs: 60 * 60 * 1000 };

/** The registration service: one place decides who may join and how. */
export function createRegistrationService(deps: {
  db: Db;
  clock: Clock;
  config: Pick<Config, 'publicUrl' | 'registration' | 'instance'>;
  mailer: Mailer;
  limiter: RateLimiter;
  logger: Logger;
  run: RunCommand;
  /** The strongest address block covering an address (the server's policy). */
  ipSeverity: (ip: string) => IpBlockSeverity | null;
}): RegistrationService {
  const { db, clock, config, mailer, limiter } = deps;
  const site = config.instance.name;

  const validInvite = async (code: string | undefined) => (code ? ((await usableInvite(db.read, code, isoAt(clock))) ?? null) : null);

  return {
    async register(input) {
      const mode = config.registration.mode;
      if (mode === 'closed') throw new Forbidden('Registrations are closed on this server');
      const invite = await validInvite(input.inviteCode);
      const problems: Record<string, FieldProblem[]> = {};
      if (!input.agreement) problems.agreement = [{ error: 'ERR_ACCEPTED', description: 'must be accepted' }];
      if (mode === 'invite' && !invite)
        problems.invite_code = [{ error: 'ERR_INVALID', description: 'is required and must be a valid, unexpired invitation' }];
      const screen = await signUpScreen(db.read, deps.ipSeverity, { email: input.email, ip: input.ip });
      if (screen === 'refuse') throw new Forbidden('Sign-ups from this address or with this email are not allowed');
      const reason = input.reason?.trim() ?? '';
      if (mode === 'approval' && !invite && !reason)
        problems.reason = [{ error: 'ERR_BLANK', description: "can't be blank: tell the moderators why you want to join" }];
      if (reason.length > 1000) problems.reason = [{ error: 'ERR_TOO_LONG', description: 'is too long (maximum is 1000 characters)' }];
      Object.assign(problems, await newAccountProblems(db, input, { checkEmailTaken: false }));
      if (Object.keys(problems).length) throw new Invalid('Validation failed', problems);
      // An address block may ask for approval even where sign-ups are open or invited.
      const needsApproval = (mode === 'approval' && !invite) || screen === 'approval';

      const byIp = await limiter.hit(`sign-up:ip:${input.ip}`, PER_IP_SIGNUPS.limit, PER_IP_SIGNUPS.windowMs);
      if (!byIp.allowed) throw new RateLimited(byIp.retryAfterSeconds, 'Too many sign-ups from this address; try again later');

      const passwordHash = await hashPassword(input.password);
      const existing = await findUserByLogin(db.read, input.email);
      if (existing) {
        // The username is taken from now on, as a new account's would be.
        await db.transaction((tx) => holdUsername(tx, input.username, isoAt(clock)));
        await mailer.send({
          to: existing.user.email,
          subject: `Someone tried to sign up on ${site} with your address`,
          text: `Someone, maybe you, tried to create an account on ${site} with this email address, which already has an account (@${existing.account.username}).\n\nIf it was you, sign in at ${config.publicUrl}/auth/sign_in, or reset your password at ${config.publicUrl}/auth/password.\nIf it was not you, you can ignore this message.\n`,
        });
        return { accountId: null };
      }
      const { account, token } = await deps.run(async (unit) => {
        const { tx } = unit;
        const account = await insertLocalAccount(tx, clock, config, {
          username: input.username,
          email: input.email,
          password: input.password,
          passwordHash,
          approved: !needsApproval,
          reason: reason || null,
          inviteId: invite?.id ?? null,
          locale: input.locale,
          signUpIp: input.ip,
        });
        if (invite) await countInviteUse(tx, invite.id);
        // The moderators hear of a new account (a waiting application above all).
        for (const staff of await staffAccountIds(tx))
          await notifyOfModeration(unit, { accountId: staff, fromAccountId: account.id, type: 'admin.sign_up' });
        return { account, token: await issueEmailToken(tx, clock, account.id, 'confirm') };
      });
      try {
        await mailer.send({
          to: input.email,
          subject: `Confirm your email address for ${site}`,
          text: `Welcome to ${site}, @${account.username}!\n\nConfirm your email address by opening this link:\n${config.publicUrl}/auth/confirmation?token=${token}\n\n${needsApproval ? 'Your application will then be reviewed by the moderators.\n' : ''}If you did not sign up, ignore this message and the account will not be usable.\n`,
        });
      } catch (error) {
        // No confirmation mail, no account: sign-up fails closed and can be tried again.
        await removeUnusedAccount(db, account.id);
        throw error instanceof Unavailable ? error : new Unavailable('Sign-up is not possible right now; please try again later');
      }
      return { accountId: account.id };
    },

    async confirmEmail(token) {
      return db.transaction(async (tx) => {
        const accountId = await consumeEmailToken(tx, clock, token, 'confirm');
        if (!accountId) return false;
        await tx
          .updateTable('users')
          .set({ confirmed_at: isoAt(clock), updated_at: isoAt(clock) })
          .where('account_id', '=', accountId)
          .where('confirmed_at', 'is', null)
          .execute();
        return true;
      });
    },

    async requestPasswordReset(email, ip) {
      const byIp = await limiter.hit(`reset:ip:${ip}`, PER_IP_RESETS.limit, PER_IP_RESETS.windowMs);
      if (!byIp.allowed) throw new RateLimited(byIp.retryAfterSeconds, 'Too many requests from this address; try again later');
      if (!email.includes('@') || email.length > 320) return;
      await deps.run((unit) => queueJob(unit, { kind: 'password-reset', email }));
    },

    async sendPasswordReset(email) {
      const found = await findUserByLogin(db.read, email);
      if (!found) return;
      const token = await db.transaction((tx) => issueEmailToken(tx, clock, found.account.id, 'reset'));
      await mailer.send({
        to: found.user.email,
        subject: `Reset your password on ${site}`,
        text: `Someone asked to reset the password of @${found.account.username} on ${site}.\n\nTo choose a new password, open this link within an hour:\n${config.publicUrl}/auth/password/edit?token=${token}\n\nIf it was not you, ignore this message; your password stays as it is.\n`,
      });
    },

    async resetPassword(token, password) {
      // Checked before the link is used up, so that a refused password does not cost the link.
      const problems = passwordProblems(password);
      if (problems.length) throw new Invalid('Validation failed', { password: problems });
      const accountId = await db.transaction((tx) => consumeEmailToken(tx, clock, token, 'reset'));
      if (!accountId) return false;
      await changePassword(db, clock, accountId, password);
      return true;
    },
  };
}
