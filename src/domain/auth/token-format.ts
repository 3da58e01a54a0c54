import { createHmac, createSecretKey, hkdfSync, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';

const RANDOM_BYTES = 32;
const MAC_BYTES = 8;

/** What a presented token is, before any database lookup. */
export type TokenKind = 'issued' | 'decoy' | 'malformed';

/**
 * Mints bearer tokens: 256 random bits followed by a short MAC under a key derived from the server secret.
 * The MAC lets the server drop forged tokens without a database lookup, and tell apart the decoy tokens
 * it hands out where a real answer would reveal that an email address has an account.
 */
export interface TokenMinter {
  mint(): string;
  /**
   * The one token that belongs to `seed` (a secret the server does not store, such as a session cookie):
   * the same seed always gives the same token, so it can be handed out again without being kept.
   */
  derive(seed: string): string;
  /** A token that looks like any other but belongs to nothing; see `classify`. */
  mintDecoy(): string;
  classify(token: string): TokenKind;
}

/** A minter keyed by the server secret: tokens survive restarts and work across processes. */
export function tokenMinter(serverSecret: string): TokenMinter {
  // Key objects made once: turning raw bytes into a key on every request costs more than the MAC itself.
  const issuedKey = createSecretKey(Buffer.from(hkdfSync('sha256', serverSecret, 'stoa', 'token-mac', 32)));
  const decoyKey = createSecretKey(Buffer.from(hkdfSync('sha256', serverSecret, 'stoa', 'decoy-token-mac', 32)));
  const deriveKey = createSecretKey(Buffer.from(hkdfSync('sha256', serverSecret, 'stoa', 'derived-token', 32)));
  const mac = (key: KeyObject, random: Buffer) => createHmac('sha256', key).update(random).digest().subarray(0, MAC_BYTES);
  const mintWith = (key: KeyObject, random = randomBytes(RANDOM_BYTES)) => Buffer.concat([random, mac(key, random)]).toString('base64url');
  return {
    mint: () => mintWith(issuedKey),
    mintDecoy: () => mintWith(decoyKey),
    derive: (seed) => mintWith(issuedKey, createHmac('sha256', deriveKey).update(seed).digest()),
    classify(token) {
      if (!/^[\w-]{54}$/.test(token)) return 'malformed';
      const bytes = Buffer.from(token, 'base64url');
      // One token, one spelling: the padding bits of the last character must be zero.
      if (bytes.toString('base64url') !== token) return 'malformed';
      const random = bytes.subarray(0, RANDOM_BYTES);
      const tag = bytes.subarray(RANDOM_BYTES);
      if (timingSafeEqual(tag, mac(issuedKey, random))) return 'issued';
      if (timingSafeEqual(tag, mac(decoyKey, random))) return 'decoy';
      return 'malformed';
    },
  };
}
