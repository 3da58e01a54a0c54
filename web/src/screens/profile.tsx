// A profile: header, bio, fields, counts; follow, mute, block, report; posts, replies, media, followers, following.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api.ts';
import { AccountRow, Avatar, displayName } from '../components/account-name.tsx';
import { EmojiText, withEmojis } from '../components/emoji.tsx';
import { PagedList } from '../components/paged-list.tsx';
import { StatusCard } from '../components/status.tsx';
import { formatNumber, t, type MessageKey } from '../i18n/index.ts';
import { useApp } from '../state.ts';
import type { Account, Relationship, Status } from '../types.ts';

type Tab = 'posts' | 'replies' | 'media' | 'followers' | 'following';
const TABS: [Tab, MessageKey][] = [
  ['posts', 'profile.posts'],
  ['replies', 'profile.replies'],
  ['media', 'profile.media'],
  ['followers', 'profile.followers'],
  ['following', 'profile.following'],
];

function ReportDialog({ account, onClose }: { account: Account; onClose: () => void }) {
  const { api, announce } = useApp();
  const dialog = useRef<HTMLDialogElement>(null);
  const [comment, setComment] = useState('');
  const [forward, setForward] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const remote = account.acct.includes('@');
  useEffect(() => dialog.current?.showModal(), []);
  const send = async (event: Event) => {
    event.preventDefault();
    try {
      await api.post('/api/v1/reports', { account_id: account.id, comment, forward, category: 'other' });
      announce(t('report.sent'));
      onClose();
    } catch (e) {
      setError(e instanceof ApiError ? e.message : t('error.generic'));
    }
  };
  return (
    <dialog ref={dialog} aria-labelledby="report-title" onClose={onClose}>
      <form onSubmit={(e) => void send(e)}>
        <h2 id="report-title">{t('report.title', { acct: account.acct })}</h2>
        <label class="field">
          <span>{t('report.comment')}</span>
          <textarea rows={4} maxLength={1000} value={comment} onInput={(e) => setComment(e.currentTarget.value)} />
        </label>
        {remote ? (
          <label class="check">
            <input type="checkbox" checked={forward} onChange={(e) => setForward(e.currentTarget.checked)} />
            <span>{t('report.forward')}</span>
          </label>
        ) : null}
        {error ? (
          <p class="error" role="alert">
            {error}
          </p>
        ) : null}
        <div class="dialog-buttons">
          <button type="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" class="primary">
            {t('report.send')}
          </button>
        </div>
      </form>
    </dialog>
  );
}

function Relations({ account }: { account: Account }) {
  const { api, announce } = useApp();
  const [relationship, setRelationship] = useState<Relationship | null>(null);
  const [reporting, setReporting] = useState(false);
  useEffect(() => {
    api.get<Relationship[]>('/api/v1/accounts/relationships', { 'id[]': [account.id] }).then(
      (r) => setRelationship(r[0] ?? null),
      () => undefined,
    );
  }, [account.id]);
  if (!relationship) return null;
  const act = async (action: string, done: MessageKey) => {
    try {
      setRelationship(await api.post<Relationship>(`/api/v1/accounts/${account.id}/${action}`));
      announce(t(done, { acct: account.acct }));
    } catch (e) {
      announce(e instanceof ApiError ? e.message : t('error.generic'));
    }
  };
  const following = relationship.following || relationship.requested;
  return (
    <div class="relations">
      {relationship.followed_by ? <span class="badge">{t('profile.follows_you')}</span> : null}
      {!relationship.blocking ? (
        <button
          type="button"
          class={following ? '' : 'primary'}
          onClick={() => void act(following ? 'unfollow' : 'follow', following ? 'profile.unfollowed' : 'profile.followed')}
        >
          {relationship.requested ? t('profile.requested') : relationship.following ? t('profile.unfollow') : t('profile.follow')}
        </button>
      ) : null}
      <details class="menu">
        <summary>{t('profile.more')}</summary>
        <div class="menu-items">
          <button
            type="button"
            onClick={() => void act(relationship.muting ? 'unmute' : 'mute', relationship.muting ? 'profile.unmuted' : 'profile.muted')}
          >
            {relationship.muting ? t('profile.unmute') : t('profile.mute')}
          </button>
          <button
            type="button"
            class="danger"
            onClick={() =>
              void act(relationship.blocking ? 'unblock' : 'block', relationship.blocking ? 'profile.unblocked' : 'profile.blocked')
            }
          >
            {relationship.blocking ? t('profile.unblock') : t('profile.block')}
          </button>
          <button type="button" onClick={() => setReporting(true)}>
            {t('profile.report')}
          </button>
        </div>
      </details>
      {reporting ? <ReportDialog account={account} onClose={() => setReporting(false)} /> : null}
    </div>
  );
}

export function ProfileScreen({ id, tab }: { id: string; tab: Tab }) {
  const { api, me } = useApp();
  const [account, setAccount] = useState<Account | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setAccount(null);
    setError(null);
    api
      .get<Account>(`/api/v1/accounts/${id}`)
      .then(setAccount, (e: unknown) => setError(e instanceof ApiError && e.status === 404 ? t('profile.not_found') : t('error.generic')));
  }, [id]);
  if (error) return <p class="error">{error}</p>;
  if (!account) return <p class="loading">{t('list.loading')}</p>;
  const name = displayName(account);
  const statusQuery = tab === 'posts' ? { exclude_replies: true } : tab === 'media' ? { only_media: true } : {};
  return (
    <>
      <div class="profile-head">
        {account.header ? <img class="profile-header" src={account.header} alt="" /> : null}
        <div class="profile-identity">
          <Avatar account={account} size={96} />
          <div>
            <h1>
              <bdi>
                <EmojiText text={name} emojis={account.emojis} />
              </bdi>
            </h1>
            <p class="acct">
              @{account.acct}
              {account.locked ? <span class="badge">{t('profile.locked')}</span> : null}
            </p>
          </div>
          {account.id === me.id ? (
            <a class="button" href="/web/settings/profile">
              {t('profile.edit')}
            </a>
          ) : (
            <Relations account={account} />
          )}
        </div>
        {account.moved ? <p class="notice">{t('profile.moved', { acct: account.moved.acct })}</p> : null}
        <div class="profile-note" dangerouslySetInnerHTML={{ __html: withEmojis(account.note, account.emojis) }} />
        {account.fields.length ? (
          <dl class="profile-fields">
            {account.fields.map((field) => (
              <div key={field.name}>
                <dt>{field.name}</dt>
                <dd dangerouslySetInnerHTML={{ __html: field.value }} />
              </div>
            ))}
          </dl>
        ) : null}
        <p class="counts">
          {t('profile.count_posts', { count: formatNumber(account.statuses_count) })} ·{' '}
          {t('profile.count_following', { count: formatNumber(account.following_count) })} ·{' '}
          {t('profile.count_followers', { count: formatNumber(account.followers_count) })}
        </p>
      </div>
      <nav class="tabs" aria-label={t('profile.sections')}>
        {TABS.map(([name, key]) => (
          <a
            key={name}
            href={`/web/accounts/${account.id}${name === 'posts' ? '' : `/${name}`}`}
            aria-current={name === tab ? 'page' : undefined}
          >
            {t(key)}
          </a>
        ))}
      </nav>
      {tab === 'followers' || tab === 'following' ? (
        <PagedList<Account>
          key={tab}
          role="list"
          path={`/api/v1/accounts/${account.id}/${tab}`}
          label={t(tab === 'followers' ? 'profile.followers' : 'profile.following')}
          empty={t('profile.nobody')}
          render={(a) => <AccountRow account={a} />}
        />
      ) : (
        <PagedList<Status>
          key={tab}
          path={`/api/v1/accounts/${account.id}/statuses`}
          query={statusQuery}
          label={t('profile.posts_of', { name })}
          empty={t('profile.no_posts')}
          render={(s, position, size, remove) => <StatusCard status={s} position={position} setSize={size} onDeleted={remove} />}
        />
      )}
    </>
  );
}
