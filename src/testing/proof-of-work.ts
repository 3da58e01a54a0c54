import { createHash } from 'node:crypto';
import { leadingZeroBits } from '../domain/auth/proof-of-work.ts';

/** A nonce that solves a sign-up challenge, found as the browser (or an app) finds it. */
export function solveProofOfWork(challenge: string, bits: number): string {
  for (let nonce = 0; ; nonce++) {
    if (leadingZeroBits(createHash('sha256').update(`${challenge}:${nonce}`).digest()) >= bits) return String(nonce);
  }
}

/** A fresh challenge from the API, solved: the fields `POST /api/v1/accounts` requires. */
export async function apiProofOfWork(url: string): Promise<{ pow_challenge: string; pow_nonce: string }> {
  const { challenge, bits } = (await (await fetch(`${url}/api/v1/accounts/challenge`)).json()) as { challenge: string; bits: number };
  return { pow_challenge: challenge, pow_nonce: solveProofOfWork(challenge, bits) };
}
