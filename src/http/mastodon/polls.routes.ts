import { z } from 'zod';
import { apiActor } from '../../domain/actor.ts';
import { NotFound } from '../../domain/errors.ts';
import { findVisiblePoll, loadPolls, type PollCommands } from '../../domain/polls/polls.ts';
import { isoAt, type Clock } from '../../lib/clock.ts';
import type { DbReader } from '../../storage/db/database.ts';
import type { Context } from 'hono';
import type { AppEnv } from '../shared/app-env.ts';
import { readInput } from '../shared/input.ts';
import { currentUser, PUBLIC, scoped, type RouteDef } from '../shared/route-table.ts';
import { serializePoll } from './serializers/poll.serializer.ts';

const Choice = z.union([z.number(), z.string()]).transform(Number).pipe(z.number().int().min(0).max(100));
const OneChoice = z.union([z.number(), z.string().max(8)]);
// `choices[]=0&choices[]=2` in a form, `[0, 2]` (or strings) in JSON.
const VoteInput = z.object({
  choices: z.union([z.array(OneChoice), OneChoice.transform((v) => [v])]).pipe(z.array(Choice).min(1).max(20)),
});

/** What the polls API uses. */
export interface PollRouteDeps {
  readonly clock: Clock;
  readonly read: DbReader;
  readonly polls: PollCommands;
}

/** Polls: read one (counts as the viewer may see them), vote. */
export function pollsRoutes(deps: PollRouteDeps): RouteDef[] {
  const { read, clock, polls } = deps;
  const present = async (c: Context<AppEnv>, pollId: string) => {
    const viewerId = c.var.auth?.account?.id ?? null;
    const poll = await findVisiblePoll(read, viewerId, pollId);
    const view = (await loadPolls(read, [poll.status_id], viewerId, Date.parse(isoAt(clock)))).get(poll.status_id);
    if (!view) throw new NotFound();
    return c.json(serializePoll(view));
  };
  return [
    { method: 'GET', path: '/api/v1/polls/:id', access: PUBLIC, handler: (c) => present(c, c.req.param('id')!) },
    {
      method: 'POST',
      path: '/api/v1/polls/:id/votes',
      access: scoped('write:statuses'),
      async handler(c) {
        const input = readInput(c, VoteInput);
        await polls.vote(apiActor(currentUser(c).account), c.req.param('id')!, input.choices);
        return present(c, c.req.param('id')!);
      },
    },
  ];
}
