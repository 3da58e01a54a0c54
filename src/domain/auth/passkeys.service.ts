import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { Selectable } from 'kysely';
import { isoAt, type Clock } from '../../lib/clock.ts';
import { uuid7 } from '../../lib/uuid7.ts';
import type { Db } from '../../storage/db/database.ts';
import type { PasskeysTable } from '../../storage/db/schema.ts';
import { Invalid, Unauthorized } from '../errors.ts';

/** A registered passkey as listed in settings. */
export type PasskeyRow = Selectable<PasskeysTable>;

/** Where passkeys are bound: the server's host name (RP id) and its public origin. */
export interface RelyingParty {
  readonly name: string;
  readonly id: string;
  readonly origin: string;
}

/**
 * WebAuthn passkeys, as a second factor and for passwordless sign-in. The service is stateless: the
 * caller keeps each ceremony's challenge (in a signed, short-lived cookie) and hands it back to verify.
 */
export interface PasskeyService {
  registrationOptions(accountId: string, username: string): Promise<PublicKeyCredentialCreationOptionsJSON>;
  register(accountId: string, name: string, response: RegistrationResponseJSON, expectedChallenge: string): Promise<PasskeyRow>;
  /** Options for signing in; with an account, only its passkeys are allowed (second factor). */
  authenticationOptions(accountId?: string): Promise<PublicKeyCredentialRequestOptionsJSON>;
  /** Verifies an assertion and returns the account it signs in; throws `Unauthorized` otherwise. */
  authenticate(response: AuthenticationResponseJSON, expectedChallenge: string, accountId?: string): Promise<string>;
  list(accountId: string): Promise<PasskeyRow[]>;
  remove(accountId: string, id: string): Promise<void>;
}

/** The passkey service for one relying party. */
export function createPasskeyService(db: Db, clock: Clock, rp: RelyingParty): PasskeyService {
  const list = (accountId: string) =>
    db.read.selectFrom('passkeys').selectAll().where('account_id', '=', accountId).orderBy('created_at').execute();
  const transportsOf = (row: PasskeyRow) => row.transports.split(',').filter(Boolean);

  return {
    async registrationOptions(accountId, username) {
      const existing = await list(accountId);
      return generateRegistrationOptions({
        rpName: rp.name,
        rpID: rp.id,
        userName: username,
        userID: new TextEncoder().encode(accountId),
        attestationType: 'none',
        excludeCredentials: existing.map((row) => ({ id: row.credential_id, transports: transportsOf(row) })),
        authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
      });
    },
    async register(accountId, name, response, expectedChallenge) {
      let verification;
      try {
        verification = await verifyRegistrationResponse({
          response,
          expectedChallenge,
          expectedOrigin: rp.origin,
          expectedRPID: rp.id,
          requireUserVerification: false,
        });
      } catch {
        throw new Invalid('The passkey could not be verified');
      }
      if (!verification.verified) throw new Invalid('The passkey could not be verified');
      const { credential } = verification.registrationInfo;
      const row: PasskeyRow = {
        id: uuid7(clock()),
        account_id: accountId,
        credential_id: credential.id,
        public_key: Buffer.from(credential.publicKey).toString('base64url'),
        counter: credential.counter,
        transports: (credential.transports ?? []).join(','),
        name: name.trim().slice(0, 60) || 'Passkey',
        created_at: isoAt(clock),
        last_used_at: null,
      };
      await db.transaction((tx) => tx.insertInto('passkeys').values(row).execute());
      return row;
    },
    async authenticationOptions(accountId) {
      const allow = accountId ? await list(accountId) : [];
      return generateAuthenticationOptions({
        rpID: rp.id,
        userVerification: 'preferred',
        allowCredentials: allow.map((row) => ({ id: row.credential_id, transports: transportsOf(row) as never })),
      });
    },
    async authenticate(response, expectedChallenge, accountId) {
      const row = await db.read.selectFrom('passkeys').selectAll().where('credential_id', '=', String(response.id)).executeTakeFirst();
      if (!row || (accountId !== undefined && row.account_id !== accountId)) throw new Unauthorized('This passkey is not registered here');
      let verification;
      try {
        verification = await verifyAuthenticationResponse({
          response,
          expectedChallenge,
          expectedOrigin: rp.origin,
          expectedRPID: rp.id,
          credential: {
            id: row.credential_id,
            publicKey: Buffer.from(row.public_key, 'base64url'),
            counter: Number(row.counter),
            transports: transportsOf(row),
          },
          requireUserVerification: false,
        });
      } catch {
        throw new Unauthorized('The passkey could not be verified');
      }
      if (!verification.verified) throw new Unauthorized('The passkey could not be verified');
      await db.transaction((tx) =>
        tx
          .updateTable('passkeys')
          .set({ counter: verification.authenticationInfo.newCounter, last_used_at: isoAt(clock) })
          .where('id', '=', row.id)
          .execute(),
      );
      return row.account_id;
    },
    list,
    async remove(accountId, id) {
      await db.transaction((tx) => tx.deleteFrom('passkeys').where('account_id', '=', accountId).where('id', '=', id).execute());
    },
  };
}
