import type { Context, Federation } from '@fedify/fedify';
import {
  Accept,
  Announce,
  Block,
  Create,
  Delete,
  Flag,
  Follow,
  Like,
  Move,
  PUBLIC_COLLECTION,
  QuoteRequest,
  Reject,
  Tombstone,
  Undo,
  Update,
  type Recipient,
} from '@fedify/vocab';
import { Temporal } from '@js-temporal/polyfill';
import type { Services } from '../../app/services.ts';
import type { AccountRow } from '../../domain/accounts/accounts.repo.ts';
import type { ActivityEvent } from '../../domain/changes.ts';
import type { ActorKeyStore } from '../../federation/actor-keys.ts';
import { actorOf, audienceOf, INSTANCE_ACTOR, noteOf, QUOTE_REQUEST_SUFFIX } from './objects.ts';

/** Turns local accounts' activity events into activities, queued for delivery. */
export function outgoing(services: Services, federation: Federation<void>, keys: ActorKeyStore) {
  const { db, config } = services;
  const ctx = () => federation.createContext(new URL(config.publicUrl), undefined);
  const account = (id: string) => db.read.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
  const recipient = (a: AccountRow): Recipient => ({
    id: new URL(a.uri),
    inboxId: a.inbox_url ? new URL(a.inbox_url) : null,
    endpoints: a.shared_inbox_url ? { sharedInbox: new URL(a.shared_inbox_url) } : null,
  });
  const remoteFollowers = async (accountId: string) =>
    (
      await db.read
        .selectFrom('follows')
        .innerJoin('accounts', 'accounts.id', 'follows.account_id')
        .selectAll('accounts')
        .where('follows.target_account_id', '=', accountId)
        .where('accounts.domain', 'is not', null)
        .execute()
    ).map(recipient);
  const remoteAccounts = async (ids: readonly string[]) =>
    ids.length
      ? (
          await db.read
            .selectFrom('accounts')
            .selectAll()
            .where('id', 'in', [...ids])
            .where('domain', 'is not', null)
            .execute()
        ).map(recipient)
      : [];
  const send = async (sender: AccountRow, recipients: Recipient[], activity: Parameters<Context<void>['sendActivity']>[2]) => {
    const unique = [...new Map(recipients.filter((r) => r.id && r.inboxId).map((r) => [r.id!.href, r])).values()];
    if (unique.length) await ctx().sendActivity({ identifier: sender.username }, unique, activity, { preferSharedInbox: true });
  };
  const audience = async (statusId: string, visibility: string, authorId: string) => {
    const mentioned = (await db.read.selectFrom('mentions').select('account_id').where('status_id', '=', statusId).execute()).map(
      (m) => m.account_id,
    );
    return [...(visibility === 'direct' ? [] : await remoteFollowers(authorId)), ...(await remoteAccounts(mentioned))];
  };

  return async (event: ActivityEvent): Promise<void> => {
    switch (event.type) {
      case 'status-created':
      case 'status-updated': {
        const status = await db.read.selectFrom('statuses').selectAll().where('id', '=', event.statusId).executeTakeFirst();
        const author = status ? await account(status.account_id) : undefined;
        if (!status || !author || author.domain !== null) return;
        const c = ctx();
        if (status.reblog_of_id) {
          const original = await db.read
            .selectFrom('statuses')
            .innerJoin('accounts', 'accounts.id', 'statuses.account_id')
            .select(['statuses.uri', 'accounts.id as authorId', 'accounts.domain'])
            .where('statuses.id', '=', status.reblog_of_id)
            .executeTakeFirst();
          if (!original) return;
          const { tos, ccs } = audienceOf(status.visibility, c.getFollowersUri(author.username), []);
          const to = [...(await remoteFollowers(author.id)), ...(original.domain ? await remoteAccounts([original.authorId]) : [])];
          await send(
            author,
            to,
            new Announce({
              id: new URL(status.uri),
              actor: c.getActorUri(author.username),
              object: new URL(original.uri),
              tos,
              ccs: [...ccs, ...(original.domain ? [] : [])],
              published: Temporal.Instant.from(status.created_at),
            }),
          );
          return;
        }
        const note = await noteOf(c, db.read, config, status, author);
        const to = await audience(status.id, status.visibility, author.id);
        const parentAuthor = status.in_reply_to_account_id ? await remoteAccounts([status.in_reply_to_account_id]) : [];
        const quotedAuthor = status.quote_of_id
          ? await db.read.selectFrom('statuses').select('account_id').where('id', '=', status.quote_of_id).executeTakeFirst()
          : undefined;
        const extra =
          status.visibility === 'direct' ? [] : [...parentAuthor, ...(quotedAuthor ? await remoteAccounts([quotedAuthor.account_id]) : [])];
        const activity =
          event.type === 'status-created'
            ? new Create({
                id: new URL(`${status.uri}/activity`),
                actor: c.getActorUri(author.username),
                tos: note.toIds,
                ccs: note.ccIds,
                published: Temporal.Instant.from(status.created_at),
                object: note,
              })
            : new Update({
                id: new URL(`${status.uri}#updates/${Date.parse(status.edited_at ?? status.updated_at)}`),
                actor: c.getActorUri(author.username),
                tos: note.toIds,
                ccs: note.ccIds,
                object: note,
              });
        await send(author, [...to, ...extra], activity);
        // Quoting a post on another server asks its author for a stamp (FEP-044f); the answer comes to the inbox.
        if (event.type === 'status-created' && quotedAuthor && status.visibility !== 'direct') {
          const quoted = await db.read
            .selectFrom('statuses')
            .select('uri')
            .where('id', '=', status.quote_of_id!)
            .where('domain', 'is not', null)
            .executeTakeFirst();
          const quotedTo = await remoteAccounts([quotedAuthor.account_id]);
          if (quoted && quotedTo.length)
            await send(
              author,
              quotedTo,
              new QuoteRequest({
                id: new URL(`${status.uri}${QUOTE_REQUEST_SUFFIX}`),
                actor: c.getActorUri(author.username),
                object: new URL(quoted.uri),
                instrument: note,
              }),
            );
        }
        return;
      }
      case 'status-deleted': {
        const author = await account(event.accountId);
        if (!author || author.domain !== null) return;
        const c = ctx();
        const to = [
          ...(event.visibility === 'direct' ? [] : await remoteFollowers(author.id)),
          ...(await remoteAccounts(event.mentionedIds)),
        ];
        if (event.reblogOfId) {
          const original = await db.read
            .selectFrom('statuses')
            .innerJoin('accounts', 'accounts.id', 'statuses.account_id')
            .select(['statuses.uri', 'accounts.id as authorId', 'accounts.domain'])
            .where('statuses.id', '=', event.reblogOfId)
            .executeTakeFirst();
          const extra = original?.domain ? await remoteAccounts([original.authorId]) : [];
          await send(
            author,
            [...to, ...extra],
            new Undo({
              id: new URL(`${event.uri}#undo`),
              actor: c.getActorUri(author.username),
              object: new Announce({
                id: new URL(event.uri),
                actor: c.getActorUri(author.username),
                object: original ? new URL(original.uri) : null,
              }),
            }),
          );
          return;
        }
        await send(
          author,
          to,
          new Delete({
            id: new URL(`${event.uri}#delete`),
            actor: c.getActorUri(author.username),
            tos: [PUBLIC_COLLECTION],
            object: new Tombstone({ id: new URL(event.uri) }),
          }),
        );
        return;
      }
      case 'favourited':
      case 'unfavourited': {
        const liker = await account(event.accountId);
        const status = await db.read
          .selectFrom('statuses')
          .innerJoin('accounts', 'accounts.id', 'statuses.account_id')
          .select(['statuses.uri', 'accounts.id as authorId', 'accounts.domain'])
          .where('statuses.id', '=', event.statusId)
          .executeTakeFirst();
        if (!liker || liker.domain !== null || !status?.domain) return;
        const c = ctx();
        const like = new Like({
          id: new URL(`${liker.uri}#likes/${event.statusId}`),
          actor: c.getActorUri(liker.username),
          object: new URL(status.uri),
        });
        await send(
          liker,
          await remoteAccounts([status.authorId]),
          event.type === 'favourited'
            ? like
            : new Undo({
                id: new URL(`${liker.uri}#likes/${event.statusId}/undo/${Date.now()}`),
                actor: c.getActorUri(liker.username),
                object: like,
              }),
        );
        return;
      }
      case 'follow-requested':
      case 'unfollowed':
      case 'blocked':
      case 'unblocked': {
        const self = await account(event.accountId);
        const target = await account(event.targetId);
        if (!self || !target || self.domain !== null || target.domain === null) return;
        const c = ctx();
        const me = c.getActorUri(self.username);
        const follow = new Follow({ id: event.followUri ? new URL(event.followUri) : null, actor: me, object: new URL(target.uri) });
        const block = new Block({ id: new URL(`${self.uri}#blocks/${target.id}`), actor: me, object: new URL(target.uri) });
        const activity =
          event.type === 'follow-requested'
            ? follow
            : event.type === 'unfollowed'
              ? new Undo({ id: new URL(`${event.followUri ?? `${self.uri}#follows/${target.id}`}/undo`), actor: me, object: follow })
              : event.type === 'blocked'
                ? block
                : new Undo({ id: new URL(`${self.uri}#blocks/${target.id}/undo`), actor: me, object: block });
        await send(self, [recipient(target)], activity);
        return;
      }
      case 'follow-answered': {
        const self = await account(event.accountId);
        const requester = await account(event.requesterId);
        if (!self || !requester || self.domain !== null || requester.domain === null || !event.followUri) return;
        const c = ctx();
        const me = c.getActorUri(self.username);
        const follow = new Follow({ id: new URL(event.followUri), actor: new URL(requester.uri), object: me });
        const answer = event.accepted
          ? new Accept({ id: new URL(`${self.uri}#accepts/${encodeURIComponent(event.followUri)}`), actor: me, object: follow })
          : new Reject({ id: new URL(`${self.uri}#rejects/${encodeURIComponent(event.followUri)}`), actor: me, object: follow });
        await send(self, [recipient(requester)], answer);
        return;
      }
      case 'profile-updated': {
        const self = await account(event.accountId);
        if (!self || self.domain !== null) return;
        const c = ctx();
        const actor = await actorOf(c, config, self, null);
        await send(
          self,
          await remoteFollowers(self.id),
          new Update({
            id: new URL(`${self.uri}#updates/${Date.now()}`),
            actor: c.getActorUri(self.username),
            tos: [PUBLIC_COLLECTION],
            object: actor,
          }),
        );
        return;
      }
      case 'account-moved': {
        const self = await account(event.accountId);
        const target = await account(event.targetId);
        if (!self || !target || self.domain !== null) return;
        const c = ctx();
        const me = c.getActorUri(self.username);
        await send(
          self,
          await remoteFollowers(self.id),
          new Move({
            id: new URL(`${self.uri}#moves/${Date.parse(self.moved_at ?? self.updated_at)}`),
            actor: me,
            object: me,
            target: new URL(target.uri),
            tos: [c.getFollowersUri(self.username)],
          }),
        );
        return;
      }
      case 'reported': {
        // Forwarded reports come from the server, not from the member who made them.
        const report = await db.read.selectFrom('reports').selectAll().where('id', '=', event.reportId).executeTakeFirst();
        const target = report ? await account(report.target_account_id) : undefined;
        if (!report || !target || target.domain === null) return;
        const statusIds = JSON.parse(report.status_ids) as string[];
        const statusUris = statusIds.length
          ? (await db.read.selectFrom('statuses').select('uri').where('id', 'in', statusIds).execute()).map((s) => new URL(s.uri))
          : [];
        const c = ctx();
        await c.sendActivity(
          { identifier: INSTANCE_ACTOR },
          recipient(target),
          new Flag({
            id: new URL(`${config.publicUrl}/reports/${report.id}`),
            actor: c.getActorUri(INSTANCE_ACTOR),
            objects: [new URL(target.uri), ...statusUris],
            content: report.comment,
          }),
        );
        return;
      }
      case 'account-deleted': {
        // The account's rows are gone; its keys sign this last activity, then go too.
        const c = ctx();
        const uri = c.getActorUri(event.username);
        const hasKeys = await db.read.selectFrom('actor_keys').select('owner').where('owner', '=', event.accountId).executeTakeFirst();
        if (hasKeys && event.inboxes.length) {
          const keyPairs = await keys.get(event.accountId);
          const inboxes = [...new Set(event.inboxes)].map((inbox) => ({ id: new URL(inbox), inboxId: new URL(inbox), endpoints: null }));
          await c.sendActivity(
            [
              { keyId: new URL(`${uri.href}#main-key`), privateKey: keyPairs.rsa.privateKey },
              { keyId: new URL(`${uri.href}#key-2`), privateKey: keyPairs.ed25519.privateKey },
            ],
            inboxes,
            new Delete({ id: new URL(`${uri.href}#delete`), actor: uri, tos: [PUBLIC_COLLECTION], object: uri }),
          );
        }
        await keys.remove(event.accountId);
        return;
      }
    }
  };
}
