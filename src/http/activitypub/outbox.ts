import type { Context, Federation, SenderKeyPair } from '@fedify/fedify';
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
import type { Config } from '../../config/index.ts';
import { findAccountById, type AccountRow } from '../../domain/accounts/accounts.repo.ts';
import type { ActivityEvent } from '../../domain/changes.ts';
import { remoteAccounts, remoteFollowers, remoteFollowsOf, type InboxAddress } from '../../domain/graph/graph.views.ts';
import { findReport } from '../../domain/reports/reports.repo.ts';
import { mentionsAndTagsOf, findStatusById } from '../../domain/statuses/statuses.repo.ts';
import { statusUris } from '../../domain/statuses/status-lists.views.ts';
import type { ActorKeyStore } from '../../federation/actor-keys.ts';
import type { DbReader } from '../../storage/db/database.ts';
import { actorOf, audienceOf, INSTANCE_ACTOR, noteOf, QUOTE_REQUEST_SUFFIX, quoteStampUri, voteOf } from './objects.ts';

type Activity = Parameters<Context<void>['sendActivity']>[2];

const recipient = (a: InboxAddress): Recipient => ({
  id: new URL(a.uri),
  inboxId: a.inbox_url ? new URL(a.inbox_url) : null,
  endpoints: a.shared_inbox_url ? { sharedInbox: new URL(a.shared_inbox_url) } : null,
});

/** Turns local accounts' activity events into activities, queued for delivery. */
export function outgoing(deps: { read: DbReader; config: Config; federation: Federation<void>; keys: ActorKeyStore }) {
  const { read, config, federation, keys } = deps;
  const ctx = () => federation.createContext(new URL(config.publicUrl), undefined);
  const account = (id: string) => findAccountById(read, id);
  const local = async (id: string) => {
    const row = await account(id);
    return row?.domain === null ? row : undefined;
  };
  const followersOf = async (accountId: string) => (await remoteFollowers(read, accountId)).map(recipient);
  const remotes = async (ids: readonly string[]) => (await remoteAccounts(read, ids)).map(recipient);
  /** Sends an activity of `sender`, signed with its keys (or with `signers`, key ids of its own). */
  const send = async (sender: AccountRow, recipients: Recipient[], activity: Activity, signers?: SenderKeyPair[]) => {
    const unique = [...new Map(recipients.filter((r) => r.id && r.inboxId).map((r) => [r.id!.href, r])).values()];
    if (unique.length) await ctx().sendActivity(signers ?? { identifier: sender.username }, unique, activity, { preferSharedInbox: true });
  };

  /** A status created or edited: its Note (or, for a repost, the Announce) to its audience. */
  async function statusChanged(type: 'status-created' | 'status-updated', statusId: string) {
    const status = await findStatusById(read, statusId);
    const author = status ? await local(status.account_id) : undefined;
    if (!status || !author) return;
    const c = ctx();
    if (status.reblog_of_id) {
      const original = await findStatusById(read, status.reblog_of_id);
      if (!original) return;
      const { tos, ccs } = audienceOf(status.visibility, c.getFollowersUri(author.username), []);
      const to = [...(await followersOf(author.id)), ...(await remotes([original.account_id]))];
      const announce = new Announce({
        id: new URL(status.uri),
        actor: c.getActorUri(author.username),
        object: new URL(original.uri),
        tos,
        ccs,
        published: Temporal.Instant.from(status.created_at),
      });
      return send(author, to, announce);
    }
    const note = await noteOf(c, read, config, status, author);
    const { mentioned } = await mentionsAndTagsOf(read, status.id);
    const quoted = status.quote_of_id ? await findStatusById(read, status.quote_of_id) : undefined;
    const related =
      status.visibility === 'direct' ? [] : [status.in_reply_to_account_id, quoted?.account_id].filter((id): id is string => !!id);
    const to = [...(status.visibility === 'direct' ? [] : await followersOf(author.id)), ...(await remotes([...mentioned, ...related]))];
    const activity =
      type === 'status-created'
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
    await send(author, to, activity);
    // Quoting a post on another server asks its author for a stamp (FEP-044f); the answer comes to the inbox.
    if (type === 'status-created' && quoted?.domain && status.visibility !== 'direct') {
      const request = new QuoteRequest({
        id: new URL(`${status.uri}${QUOTE_REQUEST_SUFFIX}`),
        actor: c.getActorUri(author.username),
        object: new URL(quoted.uri),
        instrument: note,
      });
      await send(author, await remotes([quoted.account_id]), request);
    }
  }

  return async (event: ActivityEvent): Promise<void> => {
    switch (event.type) {
      case 'status-created':
      case 'status-updated':
        return statusChanged(event.type, event.statusId);
      case 'status-deleted': {
        const author = await local(event.accountId);
        if (!author) return;
        const c = ctx();
        const to = [...(event.visibility === 'direct' ? [] : await followersOf(author.id)), ...(await remotes(event.mentionedIds))];
        const me = c.getActorUri(author.username);
        if (event.reblogOfId) {
          const original = await findStatusById(read, event.reblogOfId);
          const announce = new Announce({ id: new URL(event.uri), actor: me, object: original ? new URL(original.uri) : null });
          return send(
            author,
            [...to, ...(original ? await remotes([original.account_id]) : [])],
            new Undo({ id: new URL(`${event.uri}#undo`), actor: me, object: announce }),
          );
        }
        return send(
          author,
          to,
          new Delete({
            id: new URL(`${event.uri}#delete`),
            actor: me,
            tos: [PUBLIC_COLLECTION],
            object: new Tombstone({ id: new URL(event.uri) }),
          }),
        );
      }
      case 'poll-voted': {
        // Each choice is one Create of a Note naming it, to the poll's author (as Mastodon sends votes).
        const voter = await local(event.accountId);
        const poll = await read.selectFrom('polls').select(['status_id', 'options']).where('id', '=', event.pollId).executeTakeFirst();
        const status = poll ? await findStatusById(read, poll.status_id) : undefined;
        if (!voter || !poll || !status?.domain) return;
        const author = await remoteAccounts(read, [status.account_id]);
        const titles = JSON.parse(poll.options) as string[];
        const votes = await read
          .selectFrom('poll_votes')
          .select(['id', 'choice'])
          .where('id', 'in', [...event.voteIds])
          .execute();
        const c = ctx();
        for (const vote of votes) {
          const note = voteOf(c, voter, { id: vote.id, title: titles[vote.choice] ?? '' }, status.uri, author[0]?.uri ?? status.uri);
          await send(
            voter,
            author.map(recipient),
            new Create({ id: new URL(`${note.id!.href}/activity`), actor: c.getActorUri(voter.username), tos: note.toIds, object: note }),
          );
        }
        return;
      }
      case 'favourited':
      case 'unfavourited': {
        const liker = await local(event.accountId);
        const status = await findStatusById(read, event.statusId);
        if (!liker || !status?.domain) return;
        const c = ctx();
        const like = new Like({
          id: new URL(`${liker.uri}#likes/${event.statusId}`),
          actor: c.getActorUri(liker.username),
          object: new URL(status.uri),
        });
        const undo = () =>
          new Undo({
            id: new URL(`${liker.uri}#likes/${event.statusId}/undo/${Date.now()}`),
            actor: c.getActorUri(liker.username),
            object: like,
          });
        return send(liker, await remotes([status.account_id]), event.type === 'favourited' ? like : undo());
      }
      case 'follow-requested':
      case 'unfollowed':
      case 'blocked':
      case 'unblocked': {
        const self = await local(event.accountId);
        const target = await account(event.targetId);
        if (!self || !target || target.domain === null) return;
        const me = ctx().getActorUri(self.username);
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
        return send(self, [recipient(target)], activity);
      }
      case 'follow-answered': {
        const self = await local(event.accountId);
        const requester = await account(event.requesterId);
        if (!self || !requester || requester.domain === null || !event.followUri) return;
        const me = ctx().getActorUri(self.username);
        const follow = new Follow({ id: new URL(event.followUri), actor: new URL(requester.uri), object: me });
        const id = `${self.uri}#${event.accepted ? 'accepts' : 'rejects'}/${encodeURIComponent(event.followUri)}`;
        const answer = event.accepted
          ? new Accept({ id: new URL(id), actor: me, object: follow })
          : new Reject({ id: new URL(id), actor: me, object: follow });
        return send(self, [recipient(requester)], answer);
      }
      case 'quote-answered': {
        const self = await local(event.accountId);
        const requester = await account(event.requesterId);
        if (!self || !requester || requester.domain === null) return;
        const me = ctx().getActorUri(self.username);
        const answer =
          event.stampId !== null
            ? new Accept({
                id: new URL(`${self.uri}#quote-accepts/${event.stampId}`),
                actor: me,
                object: new URL(event.requestUri),
                result: new URL(quoteStampUri(self.uri, event.stampId)),
              })
            : new Reject({
                id: new URL(`${self.uri}#quote-rejects/${encodeURIComponent(event.requestUri)}`),
                actor: me,
                object: new URL(event.requestUri),
              });
        return send(self, [recipient(requester)], answer);
      }
      case 'profile-updated': {
        const self = await local(event.accountId);
        if (!self) return;
        const c = ctx();
        const actor = await actorOf(c, read, config, self, null);
        return send(
          self,
          await followersOf(self.id),
          new Update({
            id: new URL(`${self.uri}#updates/${Date.now()}`),
            actor: c.getActorUri(self.username),
            tos: [PUBLIC_COLLECTION],
            object: actor,
          }),
        );
      }
      case 'account-moved': {
        const self = await local(event.accountId);
        const target = await account(event.targetId);
        if (!self || !target) return;
        const c = ctx();
        const me = c.getActorUri(self.username);
        const move = new Move({
          id: new URL(`${self.uri}#moves/${Date.parse(self.moved_at ?? self.updated_at)}`),
          actor: me,
          object: me,
          target: new URL(target.uri),
          tos: [c.getFollowersUri(self.username)],
        });
        return send(self, await followersOf(self.id), move);
      }
      case 'domain-moved': {
        // Signed with the former actor's key id: servers that cached that key believe the Move even when
        // the former domain no longer answers. Then the follows go out again, from the new actor.
        const self = await local(event.accountId);
        if (!self) return;
        const c = ctx();
        const me = c.getActorUri(self.username);
        const former = new URL(event.formerUri);
        const { rsa } = await keys.get(self.id);
        const move = new Move({
          id: new URL(`${former.href}#moves/domain`),
          actor: former,
          object: former,
          target: me,
          tos: [new URL(`${former.href}/followers`)],
        });
        await send(self, await followersOf(self.id), move, [{ keyId: new URL(`${former.href}#main-key`), privateKey: rsa.privateKey }]);
        for (const target of await remoteFollowsOf(read, self.id)) {
          const follow = new Follow({
            id: new URL(target.follow_uri ?? `${self.uri}#follows/${target.id}`),
            actor: me,
            object: new URL(target.uri),
          });
          await send(self, [recipient(target)], follow);
        }
        return;
      }
      case 'reported': {
        // Forwarded reports come from the server, not from the member who made them.
        const report = await findReport(read, event.reportId);
        const target = report ? await account(report.target_account_id) : undefined;
        if (!report || !target || target.domain === null) return;
        const uris = await statusUris(read, JSON.parse(report.status_ids) as string[]);
        const c = ctx();
        const flag = new Flag({
          id: new URL(`${config.publicUrl}/reports/${report.id}`),
          actor: c.getActorUri(INSTANCE_ACTOR),
          objects: [new URL(target.uri), ...uris.map((u) => new URL(u))],
          content: report.comment,
        });
        return c.sendActivity({ identifier: INSTANCE_ACTOR }, recipient(target), flag);
      }
      case 'account-deleted': {
        // The account's rows are gone; its keys sign this last activity, then go too.
        const c = ctx();
        const uri = c.getActorUri(event.username);
        if ((await keys.has(event.accountId)) && event.inboxes.length) {
          const keyPairs = await keys.get(event.accountId);
          const inboxes = [...new Set(event.inboxes)].map((inbox) => ({ id: new URL(inbox), inboxId: new URL(inbox), endpoints: null }));
          const signers = [
            { keyId: new URL(`${uri.href}#main-key`), privateKey: keyPairs.rsa.privateKey },
            { keyId: new URL(`${uri.href}#key-2`), privateKey: keyPairs.ed25519.privateKey },
          ];
          await c.sendActivity(
            signers,
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
