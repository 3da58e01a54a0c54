import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../../lib/clock.ts';
import type { Signer } from '../../lib/signed-value.ts';

const TTL_MS = 30 * 60 * 1000;

/**
 * The sign-up form's anti-bot check, with no third party: the browser must find a nonce such that
 * SHA-256(`challenge:nonce`) starts with `bits` zero bits. Cheap for one person, costly for a bot farm.
 */
export interface ProofOfWork {
  readonly bits: number;
  challenge(): string;
  /** Whether the nonce solves this (genuine, unexpired, unused) challenge; a challenge works once. */
  verify(challenge: string, nonce: string): boolean;
}

/** Leading zero bits of a digest. */
export function leadingZeroBits(digest: Buffer): number {
  let bits = 0;
  for (const byte of digest) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

/** Proof of work with signed challenges; used ones are remembered until they expire. */
export function createProofOfWork(bits: number, sign: Signer, clock: Clock): ProofOfWork {
  const used = new Map<string, number>();
  return {
    bits,
    challenge: () => sign.sign({ r: randomBytes(12).toString('base64url'), b: bits }, TTL_MS),
    verify(challenge, nonce) {
      if (bits === 0) return true;
      const payload = sign.verify<{ b: number }>(challenge);
      if (!payload || payload.b !== bits || used.has(challenge) || !/^\d{1,16}$/.test(nonce)) return false;
      if (leadingZeroBits(createHash('sha256').update(`${challenge}:${nonce}`).digest()) < bits) return false;
      const now = clock();
      for (const [key, expires] of used) if (expires < now) used.delete(key);
      used.set(challenge, now + TTL_MS);
      return true;
    },
  };
}
