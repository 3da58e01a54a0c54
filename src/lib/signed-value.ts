import { createHmac, createSecretKey, hkdfSync } from 'node:crypto';
import type { Clock } from './clock.ts';
import { constantTimeEqual } from './secure-token.ts';

/**
 * Small payloads the server hands to a browser and must get back unchanged (a pending sign-in, a WebAuthn
 * challenge, a proof-of-work challenge): JSON plus an expiry, MACed with a key derived from the secret.
 */
export interface Signer {
  sign(payload: Record<string, unknown>, ttlMs: number): string;
  /** The payload, or null if it was tampered with, signed for another purpose, or has expired. */
  verify<T extends Record<string, unknown>>(value: string | undefined): T | null;
}

/** A signer for one purpose: values signed for one purpose never verify for another. */
export function signer(serverSecret: string, purpose: string, clock: Clock): Signer {
  const key = createSecretKey(Buffer.from(hkdfSync('sha256', serverSecret, 'stoa', `signed:${purpose}`, 32)));
  const mac = (body: string) => createHmac('sha256', key).update(body).digest('base64url');
  return {
    sign(payload, ttlMs) {
      const body = Buffer.from(JSON.stringify({ ...payload, exp: clock() + ttlMs })).toString('base64url');
      return `${body}.${mac(body)}`;
    },
    verify<T extends Record<string, unknown>>(value: string | undefined) {
      if (!value) return null;
      const [body, tag, extra] = value.split('.');
      if (!body || !tag || extra !== undefined || !constantTimeEqual(tag, mac(body))) return null;
      try {
        const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as T & { exp: number };
        return typeof payload.exp === 'number' && payload.exp > clock() ? payload : null;
      } catch {
        return null;
      }
    },
  };
}
