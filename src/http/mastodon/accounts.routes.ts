import type { ProofOfWork } from '../../domain/auth/proof-of-work.ts';
import { z } from 'zod';
import type { Config } from '../../config/index.ts';
import { emojisOfAccounts } from '../../domain/emoji/custom-emojis.ts';
import { apiActor } from '../../domain/actor.ts';
import type { AccountService } from '../../domain/accounts/accounts.service.ts';
import type { RegistrationService } from '../../domain/accounts/registration.service.ts';
import type { TokenService } from '../../domain/auth/tokens.service.ts';
import type { MediaService } from '../../domain/media/media.service.ts';
import type { Db } from '../../storage/db/database.ts';
import { countAccounts } from '../../domain/accounts/account-counts.repo.ts';
import {
  isShown,
  findAccountByHandle,
  findAccountById,
  findAccountsByIds,
  findUserByAccountId,
  type AccountRow,
  type UserRow,
} from '../../domain/accounts/accounts.repo.ts';
import { countFollowRequests } from '../../domain/graph/graph.views.ts';
import { MAX_PROFILE_FIELDS, type ProfileChanges } from '../../domain/accounts/accounts.service.ts';
import { Invalid, NotFound } from '../../domain/errors.ts';
import { formBool, nested, readInput, stringList } from '../shared/input.ts';
import { currentUser, PUBLIC, scoped, type RouteDef } from '../shared/route-table.ts';
import { accountEntities } from './account-list.ts';
import { serializeCredentialAccount } from './serializers/account.serializer.ts';
import { serializeToken } from '../shared/token-entity.ts';
import type { Preferences } from './entities.ts';

const AccountIdsInput = z.object({ id: stringList(z.string().max(64)).pipe(z.array(z.string()).min(1).max(40)) });
const RegisterInput = z.object({
  username: z.string().trim().max(30),
  email: z.string().trim().max(254),
  password: z.string().max(1000),
  agreement: formBool,
  locale: z
    .string()
    .trim()
    .regex(/^[a-zA-Z-]{2,10}$/)
    .optional(),
  reason: z.string().max(1000).optional(),
  invite_code: z.string().trim().max(100).optional(),
  pow_challenge: z.string().max(500).optional(),
  pow_nonce: z.string().max(20).optional(),
});

const FieldInput = z.object({ name: z.string().max(255), value: z.string().max(255) });

const UpdateInput = z.object({
  avatar: z.instanceof(File, { error: 'must be an image file sent as multipart/form-data' }).optional(),
  header: z.instanceof(File, { error: 'must be an image file sent as multipart/form-data' }).optional(),
  display_name: z.string().max(30).optional(),
  note: z
    .string()
    .max(500)
    .transform((v) => v.replace(/\r\n?/g, '\n'))
    .optional(),
  locked: formBool.optional(),
  bot: formBool.optional(),
  discoverable: formBool.optional(),
  hide_collections: formBool.optional(),
  fields_attributes: nested(
    z
      .union([
        z.array(FieldInput),
        z.record(z.string(), FieldInput).transform((byIndex) =>
          Object.keys(byIndex)
            .sort((a, b) => Number(a) - Number(b))
            .map((k) => byIndex[k]!),
        ),
      ])
      .pipe(z.array(FieldInput).max(MAX_PROFILE_FIELDS, { error: `at most ${MAX_PROFILE_FIELDS} profile fields` }))
      .optional(),
  ),
  source: z
    .object({
      privacy: z.enum(['public', 'unlisted', 'private', 'direct']).optional(),
      sensitive: formBool.optional(),
      language: z
        .string()
        .trim()
        .regex(/^([a-z]{2,3})?$/, { error: 'must be an ISO 639 language code' })
        .optional(),
    })
    .optional(),
});

const LookupInput = z.object({ acct: z.string().trim().min(1).max(300) });

/** What the Accounts API uses: the account commands, sign-up, tokens, profile images and the database. */
export interface AccountsRouteDeps {
  readonly config: Config;
  readonly db: Db;
  readonly accounts: AccountService;
  readonly registration: RegistrationService;
  readonly tokens: TokenService;
  readonly media: Pick<MediaService, 'profileImage'>;
  readonly proofOfWork: ProofOfWork;
}

/** The Accounts API: registration, the signed-in account, profiles and lookups. */
export function accountsRoutes(deps: AccountsRouteDeps): RouteDef[] {
  const { db, config } = deps;
  const read = db.read;
  /** Applies profile changes (replaced images go by a job) and answers the CredentialAccount. */
  const saveProfile = async (account: AccountRow, changes: ProfileChanges) => {
    const updated = await deps.accounts.updateProfile(apiActor(account), changes);
    return credentials(updated, (await findUserByAccountId(read, account.id))!);
  };
  /** The signed-in account as its owner sees it (with its settings and how many wait for an answer). */
  const credentials = async (account: AccountRow, user: UserRow) => {
    const counts = (await countAccounts(read, [account.id])).get(account.id)!;
    const emojis = (await emojisOfAccounts(read, [account])).get(account.id);
    return serializeCredentialAccount(
      account,
      user,
      { ...counts, followRequests: await countFollowRequests(read, account.id) },
      config,
      emojis,
    );
  };
  /** An account as Mastodon shows it, with `moved` (the account it moved to) when it has moved. */
  const present = async (account: AccountRow) => {
    const target = account.moved_to_account_id ? await visible(await findAccountById(read, account.moved_to_account_id)) : undefined;
    const entities = await accountEntities(read, config, [account, ...(target ? [target] : [])]);
    return { ...entities.get(account.id)!, ...(target ? { moved: entities.get(target.id)! } : {}) };
  };
  /** Local accounts, and remote ones; suspended accounts, and local ones still waiting for confirmation or approval, are not shown. */
  const visible = async (account: AccountRow | undefined) => (account && (await isShown(read, account)) ? account : undefined);

  return [
    {
      method: 'POST',
      path: '/api/v1/accounts',
      access: scoped('write:accounts', { app: true }),
      async handler(c) {
        const input = readInput(c, RegisterInput);
        // The same cost as the sign-up form's: a bot registers no cheaper through the API.
        if (!deps.proofOfWork.verify(input.pow_challenge ?? '', input.pow_nonce ?? '')) {
          const problem = {
            error: 'ERR_INVALID',
            description: `must solve a fresh challenge from GET /api/v1/accounts/challenge (SHA-256 of "challenge:nonce" starting with ${deps.proofOfWork.bits} zero bits), or sign up at ${config.publicUrl}/auth/sign_up`,
          };
          throw new Invalid('Validation failed: a proof of work is required to sign up', { pow_nonce: [problem] });
        }
        const grant = c.var.auth!.grant;
        const { accountId } = await deps.registration.register({
          username: input.username,
          email: input.email,
          password: input.password,
          agreement: input.agreement === true,
          locale: input.locale,
          reason: input.reason,
          inviteCode: input.invite_code,
          ip: c.var.clientIp,
        });
        // The same answer whether or not the address already had an account: a token that acts only once the
        // address is confirmed (until then it is answered exactly as a decoy is), or a decoy that never will.
        const issued = await db.transaction((tx) =>
          deps.tokens.issue(tx, { appId: grant.appId, accountId, scopes: grant.scopes, refreshable: true, decoy: accountId === null }),
        );
        return c.json(serializeToken(issued));
      },
    },
    {
      method: 'GET',
      path: '/api/v1/accounts/challenge',
      access: PUBLIC,
      handler(c) {
        c.header('Cache-Control', 'no-store');
        const { bits } = deps.proofOfWork;
        return c.json({
          challenge: deps.proofOfWork.challenge(),
          bits,
          algorithm: 'sha256',
          input: 'challenge:nonce',
          nonce: 'decimal, up to 16 digits',
        });
      },
    },
    {
      method: 'GET',
      path: '/api/v1/accounts/verify_credentials',
      access: scoped('profile'),
      async handler(c) {
        const { account, user } = currentUser(c);
        return c.json(await credentials(account, user));
      },
    },
    {
      method: 'PATCH',
      path: '/api/v1/accounts/update_credentials',
      access: scoped('write:accounts'),
      async handler(c) {
        const { account } = currentUser(c);
        const input = readInput(c, UpdateInput);
        // Images first: a refused image leaves the profile as it was.
        const avatarKey = input.avatar
          ? await deps.media.profileImage(new Uint8Array(await input.avatar.arrayBuffer()), 'avatar')
          : undefined;
        const headerKey = input.header
          ? await deps.media.profileImage(new Uint8Array(await input.header.arrayBuffer()), 'header')
          : undefined;
        return c.json(
          await saveProfile(account, {
            avatarKey,
            headerKey,
            displayName: input.display_name,
            note: input.note,
            locked: input.locked,
            bot: input.bot,
            discoverable: input.discoverable,
            hideCollections: input.hide_collections,
            fields: input.fields_attributes?.filter((f) => f.name.trim() || f.value.trim()),
            defaultVisibility: input.source?.privacy,
            defaultSensitive: input.source?.sensitive,
            language: input.source?.language === undefined ? undefined : input.source.language || null,
          }),
        );
      },
    },
    ...(['avatar', 'header'] as const).map((image): RouteDef => ({
      method: 'DELETE',
      path: `/api/v1/profile/${image}`,
      access: scoped('write:accounts'),
      async handler(c) {
        const { account } = currentUser(c);
        return c.json(await saveProfile(account, image === 'avatar' ? { avatarKey: null } : { headerKey: null }));
      },
    })),
    {
      method: 'GET',
      path: '/api/v1/accounts/lookup',
      access: PUBLIC,
      async handler(c) {
        const { acct } = readInput(c, LookupInput);
        const [username = '', domain = null] = acct.replace(/^@/, '').split('@');
        const local = domain === null || domain.toLowerCase() === config.domain;
        const account = await visible(await findAccountByHandle(read, username, local ? null : domain));
        if (!account) throw new NotFound();
        return c.json(await present(account));
      },
    },
    {
      // Several accounts at once (Mastodon 4.3): those shown, in the order asked; unknown ids are left out.
      method: 'GET',
      path: '/api/v1/accounts',
      access: PUBLIC,
      async handler(c) {
        const { id: ids } = readInput(c, AccountIdsInput);
        const found = new Map((await findAccountsByIds(read, ids)).map((a) => [a.id, a]));
        const shown = [];
        for (const id of new Set(ids)) {
          const account = await visible(found.get(id));
          if (account) shown.push(await present(account));
        }
        return c.json(shown);
      },
    },
    {
      // The defaults the member's posts get, as the settings keep them; reading preferences are the client's.
      method: 'GET',
      path: '/api/v1/preferences',
      access: scoped('read:accounts'),
      handler(c) {
        const { user } = currentUser(c);
        const preferences: Preferences = {
          'posting:default:visibility': user.default_visibility,
          'posting:default:sensitive': Boolean(user.default_sensitive),
          'posting:default:language': user.default_language,
          'reading:expand:media': 'default',
          'reading:expand:spoilers': false,
        };
        return c.json(preferences);
      },
    },
    {
      method: 'GET',
      path: '/api/v1/accounts/:id',
      access: PUBLIC,
      async handler(c) {
        const account = await visible(await findAccountById(read, c.req.param('id')!));
        if (!account) throw new NotFound();
        return c.json(await present(account));
      },
    },
  ];
}
