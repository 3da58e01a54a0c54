import type { webcrypto } from 'node:crypto';
import { exportJwk, generateCryptoKeyPair, importJwk } from '@fedify/fedify';
import { isoAt, type Clock } from '../lib/clock.ts';
import type { SecretBox } from '../lib/secret-box.ts';
import type { Db } from '../storage/db/database.ts';
import { deleteActorKeys, findActorKeys, insertActorKeys } from '../domain/accounts/actor-keys.repo.ts';

/** The owner name of the server's own actor's keys (other owners are local account ids). */
export const INSTANCE_KEY_OWNER = 'instance';

type JsonWebKey = webcrypto.JsonWebKey;
type CryptoKey = webcrypto.CryptoKey;

export interface KeyPair {
  readonly publicKey: CryptoKey;
  readonly privateKey: CryptoKey;
}

export interface ActorKeyPairs {
  readonly rsa: KeyPair;
  readonly ed25519: KeyPair;
}

/**
 * The key pairs a local actor signs with: RSA (HTTP Signatures, as every server reads them) and Ed25519
 * (Object Integrity Proofs). Made on first use and kept in the database, private halves sealed with a
 * key derived from the server secret; both travel in every backup. Cached in memory once read.
 */
export function actorKeyStore(db: Db, clock: Clock, box: SecretBox) {
  const cache = new Map<string, Promise<ActorKeyPairs>>();

  async function load(owner: string): Promise<ActorKeyPairs> {
    let row = await findActorKeys(db.read, owner);
    if (row === undefined) {
      const rsa = (await generateCryptoKeyPair('RSASSA-PKCS1-v1_5')) as unknown as KeyPair;
      const ed25519 = (await generateCryptoKeyPair('Ed25519')) as unknown as KeyPair;
      const values = {
        owner,
        rsa_public: JSON.stringify(await exportJwk(rsa.publicKey)),
        rsa_private: box.seal(JSON.stringify(await exportJwk(rsa.privateKey))),
        ed25519_public: JSON.stringify(await exportJwk(ed25519.publicKey)),
        ed25519_private: box.seal(JSON.stringify(await exportJwk(ed25519.privateKey))),
        created_at: isoAt(clock),
      };
      row = await insertActorKeys(db, values);
    }
    const open = (sealed: string) => {
      const jwk = box.open(sealed);
      if (jwk === null) throw new Error(`the private keys of ${owner} cannot be opened with this server secret`);
      return JSON.parse(jwk) as JsonWebKey;
    };
    const key = async (jwk: JsonWebKey, kind: 'public' | 'private') => (await importJwk(jwk, kind)) as unknown as CryptoKey;
    return {
      rsa: {
        publicKey: await key(JSON.parse(row.rsa_public) as JsonWebKey, 'public'),
        privateKey: await key(open(row.rsa_private), 'private'),
      },
      ed25519: {
        publicKey: await key(JSON.parse(row.ed25519_public) as JsonWebKey, 'public'),
        privateKey: await key(open(row.ed25519_private), 'private'),
      },
    };
  }

  return {
    /** The owner's key pairs, made now if it has none yet. */
    get(owner: string): Promise<ActorKeyPairs> {
      let pending = cache.get(owner);
      if (!pending) {
        pending = load(owner);
        pending.catch(() => cache.delete(owner));
        cache.set(owner, pending);
      }
      return pending;
    },
    /** Whether the owner has keys (a deleted account's last activity is signed only if it had). */
    async has(owner: string): Promise<boolean> {
      return (await findActorKeys(db.read, owner)) !== undefined;
    },
    /** Forgets a deleted account's keys. */
    async remove(owner: string): Promise<void> {
      cache.delete(owner);
      await deleteActorKeys(db, owner);
    },
  };
}

export type ActorKeyStore = ReturnType<typeof actorKeyStore>;
