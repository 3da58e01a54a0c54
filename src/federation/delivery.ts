import { CircuitBreaker, createExponentialBackoffPolicy, importJwk, signRequest, type KvStore, type Message } from '@fedify/fedify';
import type { webcrypto } from 'node:crypto';
import { Temporal } from '@js-temporal/polyfill';
import type { Clock } from '../lib/clock.ts';
import type { Logger } from '../lib/logger.ts';
import { durationMs } from '../storage/cache/db-kv-store.ts';
import type { Db } from '../storage/db/database.ts';
import { DbMessageQueue } from '../storage/queue/db-message-queue.ts';
import type { SafeFetch } from './safe-fetch.ts';

/** The queue channel of deliveries: one message per activity and inbox, as Fedify fans them out. */
export const DELIVERY_CHANNEL = 'deliveries';

/** One delivery Fedify prepared: an activity (JSON-LD, with its proofs) for one inbox, and the keys to sign with. */
type Delivery = Extract<Message, { type: 'outbox' }>;

/** What the circuit breaker decides before a delivery (Fedify's decision, with its times as we read them). */
type Decision =
  { readonly type: 'send' } | { readonly type: 'hold' | 'drop'; readonly delay?: unknown; readonly heldSince: { toString(): string } };

/** Answers after which a delivery is not tried again: the inbox is gone. */
const PERMANENT_FAILURES = new Set([404, 410]);

/** When a server keeps failing: how many failures in how long open its circuit, and when it is tried again. */
export interface DeliveryPolicy {
  readonly failureThreshold: number;
  readonly failureWindowMs: number;
  readonly recoveryDelayMs: number;
  readonly heldTtlMs: number;
}

/**
 * Sends the deliveries Fedify fans out, through the SSRF guard (Fedify would send them with the global
 * `fetch`, and takes no fetch of its own). Each is signed with its actor's RSA key (draft-cavage HTTP
 * Signatures, as every server reads them) and posted without following redirects. A failure is retried
 * with exponential backoff (1 s, 2 s, 4 s... ten attempts); a server that keeps failing has its circuit
 * opened (Fedify's own circuit breaker, kept in the key-value store): its deliveries are held, none lost,
 * for up to `heldTtlMs`, and it is tried again after `recoveryDelayMs`. An inbox that answers 404 or 410
 * is not tried again.
 */
export function deliveryWorker(deps: { db: Db; clock: Clock; kv: KvStore; fetch: SafeFetch; logger: Logger; policy: DeliveryPolicy }) {
  const { logger: log, policy } = deps;
  const queue = new DbMessageQueue(deps.db, deps.clock, { channel: DELIVERY_CHANNEL, pollMs: 500, concurrency: 4, logger: log });
  const circuit = new CircuitBreaker({
    kv: deps.kv,
    prefix: ['_fedify', 'circuit'],
    options: {
      failureThreshold: policy.failureThreshold,
      failureWindow: { milliseconds: policy.failureWindowMs },
      recoveryDelay: { milliseconds: policy.recoveryDelayMs },
      heldActivityTtl: { milliseconds: policy.heldTtlMs },
      onStateChange: (host, from, to) => log.info({ host, from, to }, 'delivery circuit changed'),
    },
    now: () => Temporal.Instant.fromEpochMilliseconds(deps.clock()),
  });
  const decide = (host: string, delivery: Delivery): Promise<Decision> => circuit.beforeSend(host, delivery);
  const backoff = createExponentialBackoffPolicy();
  /** How long until the next attempt, or null when the delivery has had its attempts. */
  const retryDelayMs = (delivery: Delivery): number | null => {
    const delay: unknown = backoff({
      elapsedTime: Temporal.Instant.from(delivery.started).until(Temporal.Now.instant()) as never,
      attempts: delivery.attempt,
    });
    return delay == null ? null : durationMs(delay);
  };

  /** Signs and posts one delivery; returns the answer's status (a network failure throws). */
  async function post(delivery: Delivery): Promise<{ status: number; retryAfter: string | null }> {
    const rsa = delivery.keys.find((k) => (k.privateKey as { kty?: string }).kty === 'RSA');
    if (!rsa) throw new Error('no RSA key to sign the delivery with');
    const headers = new Headers(delivery.headers);
    headers.set('content-type', 'application/activity+json');
    const unsigned = new Request(delivery.inbox, { method: 'POST', headers, body: JSON.stringify(delivery.activity) });
    const privateKey = (await importJwk(rsa.privateKey, 'private')) as unknown as webcrypto.CryptoKey;
    const request = await signRequest(unsigned, privateKey, new URL(rsa.keyId), { spec: 'draft-cavage-http-signatures-12' });
    const response = await deps.fetch(request, { redirect: 'manual' });
    return { status: response.status, retryAfter: response.headers.get('retry-after') };
  }

  /** Queues the delivery again after `delayMs` (attempts counted, or held by the circuit). */
  const again = (delivery: Delivery, delayMs: number, changes: Partial<Delivery>) =>
    queue.enqueue(
      { ...delivery, ...changes },
      { delay: Temporal.Duration.from({ milliseconds: Math.max(0, Math.round(delayMs)) }), orderingKey: delivery.orderingKey },
    );

  async function deliver(delivery: Delivery): Promise<void> {
    const host = new URL(delivery.inbox).host;
    const before = await decide(host, delivery);
    if (before.type === 'hold')
      return again(delivery, durationMs(before.delay), { circuitHeld: true, circuitHeldSince: before.heldSince.toString() });
    if (before.type === 'drop') {
      log.warn({ host, activity: delivery.activityId, heldSince: before.heldSince.toString() }, 'a delivery held too long was dropped');
      return;
    }
    let answer: { status: number; retryAfter: string | null } | null = null;
    try {
      answer = await post(delivery);
    } catch (error) {
      log.info({ host, err: error instanceof Error ? error.message : String(error), attempt: delivery.attempt }, 'delivery failed');
      await circuit.recordFailure(host);
    }
    if (answer && answer.status >= 200 && answer.status < 300) {
      await circuit.recordSuccess(host);
      return;
    }
    if (answer) {
      log.info({ host, status: answer.status, attempt: delivery.attempt }, 'delivery refused');
      if (answer.status >= 500) await circuit.recordFailure(host);
      else await circuit.recordReachableFailure(host);
      if (PERMANENT_FAILURES.has(answer.status)) return;
    }
    const after = await decide(host, delivery);
    const policyDelay = retryDelayMs(delivery);
    if (policyDelay === null) {
      log.warn({ host, activity: delivery.activityId, attempts: delivery.attempt + 1 }, 'delivery given up');
      return;
    }
    if (after.type === 'hold')
      return again(delivery, durationMs(after.delay), { circuitHeld: true, circuitHeldSince: after.heldSince.toString() });
    const retryAfterMs = answer?.retryAfter && /^\d+$/.test(answer.retryAfter) ? Number(answer.retryAfter) * 1000 : 0;
    await again(delivery, Math.max(policyDelay, retryAfterMs), { attempt: delivery.attempt + 1 });
  }

  return {
    /** The queue Fedify hands its deliveries to (its outbox queue). */
    queue,

    /** Sends deliveries until `signal` aborts. */
    listen(signal: AbortSignal): Promise<void> {
      return queue.listen(
        async (message) => {
          const delivery = message as Delivery;
          if (delivery.type !== 'outbox') return;
          try {
            await deliver(delivery);
          } catch (error) {
            log.error({ err: error, inbox: delivery.inbox }, 'a delivery could not be handled');
          }
        },
        { signal },
      );
    },
  };
}
