import type { Account } from '../types.ts';
import { EmojiText } from './emoji.tsx';

/** An account's avatar; decorative where the name beside it is read. */
export function Avatar({ account, size = 48 }: { account: Account; size?: number }) {
  return (
    <img class="avatar" src={account.avatar_static || account.avatar} alt="" width={size} height={size} loading="lazy" decoding="async" />
  );
}

export function displayName(account: Account): string {
  return account.display_name.trim() || account.username;
}

/** Name and handle, linking to the profile inside the app. */
export function AccountName({ account }: { account: Account }) {
  return (
    <a class="account-name" href={`/web/accounts/${account.id}`}>
      <bdi class="display-name">
        <EmojiText text={displayName(account)} emojis={account.emojis} />
      </bdi>{' '}
      <span class="acct">@{account.acct}</span>
    </a>
  );
}

/** A row in a list of accounts: avatar, name, handle, and whatever the list adds (buttons). */
export function AccountRow({ account, children }: { account: Account; children?: preact.ComponentChildren }) {
  return (
    <div class="account-row">
      <Avatar account={account} size={40} />
      <AccountName account={account} />
      {children ? <div class="row-actions">{children}</div> : null}
    </div>
  );
}
