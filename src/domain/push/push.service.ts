import type { Selectable } from 'kysely';
import webpush from 'web-push';
import { isoAt, type Clock } from '../../lib/clock.ts';
import type { SecretBox } from '../../lib/secret-box.ts';
import { uuid7 } from '../../lib/uuid7.ts';
import type { Db, DbWriter } from '../../storage/db/database.ts';
import type { PushSubscriptionsTable } from '../../storage/db/schema.ts';
import { Invalid, NotFound } from '../errors.ts';

export type PushSubscriptionRow = Selectable<PushSubscriptionsTable>;

/** The notification types a subscription can ask for (Mastodon's `data[alerts]`). */
export const PUSH_ALERTS = [
  'mention',
  'status',
  'reblog',
  'follow',
  'follow_request',
  'favourite',
  'poll',
  'update',
  'quote',
  'move',
  'admin.sign_up',
  'admin.report',
] as const;
export const PUSH_POLICIES = ['all', 'followed', 'follower', 'none'] as const;
export type PushPolicy = (typeof PUSH_POLICIES)[number];

/** What a client subscribes with. */
export interface PushInput {
  readonly endpoint: string;
  readonly p256dh: string;
  readonly auth: string;
  readonly alerts: Partial<Record<string, boolean>>;
  readonly policy: PushPolicy;
  readonly standard: boolean;
}

const base64url = /^[A-Za-z0-9_-]+={0,2}$/;
/** A key in standard base64 (with `+`, `/` and padding, as some apps send them) in base64url, as browsers give them. */
const asBase64url = (value: string) => value.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const decodedLength = (value: string) => Buffer.from(value.replace(/=+$/, ''), 'base64url').length;

/** Web Push subscriptions (one per access token) and the server's VAPID key pair. */
export function createPushService(deps: { db: Db; clock: Clock; box: SecretBox; allowHttp: boolean }) {
  const { db, clock, box } = deps;
  let vapid: Promise<{ publicKey: string; privateKey: string }> | undefined;

  function validated(given: PushInput): PushInput {
    const input = { ...given, p256dh: asBase64url(given.p256dh), auth: asBase64url(given.auth) };
    const problems: Record<string, { error: string; description: string }[]> = {};
    let url: URL | null = null;
    try {
      url = new URL(input.endpoint);
    } catch {
      // reported below
    }
    if (!url || !(url.protocol === 'https:' || (deps.allowHttp && url.protocol === 'http:')) || input.endpoint.length > 2048)
      problems['subscription[endpoint]'] = [{ error: 'ERR_INVALID', description: 'must be an https URL' }];
    // A P-256 public key, uncompressed (65 bytes), and a 16-byte secret, as browsers give them.
    if (!base64url.test(input.p256dh) || decodedLength(input.p256dh) !== 65)
      problems['subscription[keys][p256dh]'] = [{ error: 'ERR_INVALID', description: 'must be a base64url P-256 public key' }];
    if (!base64url.test(input.auth) || decodedLength(input.auth) !== 16)
      problems['subscription[keys][auth]'] = [{ error: 'ERR_INVALID', description: 'must be a base64url 16-byte secret' }];
    if (Object.keys(problems).length) throw new Invalid('Validation failed: the subscription is not valid', problems);
    return input;
  }

  /**
   * The stored pair, or a new one. A pair sealed under another server secret (the secret was changed)
   * cannot be opened and is replaced: subscriptions made with the old key stop working and the apps
   * subscribe again, as after any key rotation.
   */
  async function loadVapid(): Promise<{ publicKey: string; privateKey: string }> {
    const read = () => db.read.selectFrom('server_keys').selectAll().where('name', '=', 'vapid').executeTakeFirst();
    const stored = await read();
    const opened = stored ? box.open(stored.private_key) : null;
    if (stored && opened !== null) return { publicKey: stored.public_key, privateKey: opened };
    const made = webpush.generateVAPIDKeys();
    await db.transaction(async (tx) => {
      if (stored) await tx.deleteFrom('server_keys').where('name', '=', 'vapid').where('private_key', '=', stored.private_key).execute();
      await tx
        .insertInto('server_keys')
        .values({ name: 'vapid', public_key: made.publicKey, private_key: box.seal(made.privateKey), created_at: isoAt(clock) })
        .onConflict((oc) => oc.doNothing())
        .execute();
    });
    // Another process may have made its pair first: the stored one is the one to use.
    const kept = await read();
    const privateKey = kept ? box.open(kept.private_key) : null;
    if (!kept || privateKey === null) throw new Error('The VAPID key pair could not be stored');
    return { publicKey: kept.public_key, privateKey };
  }

  const alertsOf = (alerts: Partial<Record<string, boolean>>) => Object.fromEntries(PUSH_ALERTS.map((a) => [a, alerts[a] === true]));

  return {
    /** The public half of the VAPID pair (base64url), made and stored on first use; its private half sealed. */
    vapidKeys(): Promise<{ publicKey: string; privateKey: string }> {
      const loading = (vapid ??= loadVapid().catch((error: unknown) => {
        vapid = undefined;
        throw error;
      }));
      return loading;
    },

    /** Subscribes the token's device, replacing an earlier subscription of the same token. */
    async subscribe(token: { id: string; value: string }, accountId: string, input: PushInput): Promise<PushSubscriptionRow> {
      const tokenId = token.id;
      const v = validated(input);
      const now = isoAt(clock);
      const row = {
        id: uuid7(clock()),
        token_id: tokenId,
        account_id: accountId,
        endpoint: v.endpoint,
        p256dh: v.p256dh,
        auth: v.auth,
        access_token: box.seal(token.value),
        alerts: JSON.stringify(alertsOf(v.alerts)),
        policy: v.policy,
        standard: v.standard,
        created_at: now,
        updated_at: now,
      };
      // One subscription per token: a new one replaces the old, also when two arrive at once.
      const { token_id: _token, ...replacement } = row;
      await db.transaction((tx) =>
        tx
          .insertInto('push_subscriptions')
          .values(row)
          .onConflict((oc) => oc.column('token_id').doUpdateSet(replacement))
          .execute(),
      );
      return this.get(tokenId);
    },

    async get(tokenId: string): Promise<PushSubscriptionRow> {
      const row = await db.read.selectFrom('push_subscriptions').selectAll().where('token_id', '=', tokenId).executeTakeFirst();
      if (!row) throw new NotFound('Record not found');
      return row;
    },

    /** Changes which alerts are pushed and for whom. */
    async update(
      tokenId: string,
      change: { alerts?: Partial<Record<string, boolean>> | undefined; policy?: PushPolicy | undefined },
    ): Promise<PushSubscriptionRow> {
      const current = await this.get(tokenId);
      const alerts = change.alerts ? alertsOf({ ...(JSON.parse(current.alerts) as Record<string, boolean>), ...change.alerts }) : undefined;
      await db.transaction((tx) =>
        tx
          .updateTable('push_subscriptions')
          .set({
            ...(alerts ? { alerts: JSON.stringify(alerts) } : {}),
            ...(change.policy ? { policy: change.policy } : {}),
            updated_at: isoAt(clock),
          })
          .where('id', '=', current.id)
          .execute(),
      );
      return this.get(tokenId);
    },

    /** The subscription's access token (for the payload), or null if the server secret changed. */
    accessToken(row: PushSubscriptionRow): string | null {
      return box.open(row.access_token);
    },

    /** Moves a subscription to the token that replaced its own (a refresh), inside the refresh's transaction. */
    async carryOver(tx: DbWriter, oldTokenId: string, newTokenId: string, newAccessToken: string): Promise<void> {
      await tx
        .updateTable('push_subscriptions')
        .set({ token_id: newTokenId, access_token: box.seal(newAccessToken), updated_at: isoAt(clock) })
        .where('token_id', '=', oldTokenId)
        .execute();
    },

    async remove(tokenId: string): Promise<void> {
      await db.transaction((tx) => tx.deleteFrom('push_subscriptions').where('token_id', '=', tokenId).execute());
    },
  };
}

export type PushService = ReturnType<typeof createPushService>;
