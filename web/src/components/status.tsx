// One post: who, when, content (sanitized by the server), content warning, media, quote, and actions.
import { useState } from 'preact/hooks';
import { ApiError } from '../api.ts';
import { formatDateTime, formatNumber, formatRelative, t, type MessageKey } from '../i18n/index.ts';
import { navigate } from '../router.ts';
import { useApp } from '../state.ts';
import type { Status, StatusSource } from '../types.ts';
import { AccountName, Avatar, displayName } from './account-name.tsx';
import { EmojiText, withEmojis } from './emoji.tsx';
import { MediaGallery } from './media.tsx';
import { LinkCard } from './link-card.tsx';
import { PollView } from './poll.tsx';

const VISIBILITY_KEYS: Record<Status['visibility'], MessageKey> = {
  public: 'visibility.public',
  unlisted: 'visibility.unlisted',
  private: 'visibility.private',
  direct: 'visibility.direct',
};

/** Links in post HTML: mentions and hashtags open inside the app; other links open in a new tab. */
function onContentClick(event: MouseEvent, status: Status) {
  const anchor = (event.target as Element).closest('a');
  if (!anchor || event.metaKey || event.ctrlKey) return;
  const mention = status.mentions.find((m) => m.url === anchor.href);
  if (mention) {
    event.preventDefault();
    navigate(`/web/accounts/${mention.id}`);
    return;
  }
  if (anchor.classList.contains('hashtag')) {
    const tag = status.tags.find((tg) => anchor.href.toLowerCase().endsWith(`/tags/${tg.name.toLowerCase()}`));
    if (tag) {
      event.preventDefault();
      navigate(`/web/tags/${encodeURIComponent(tag.name)}`);
      return;
    }
  }
  anchor.target = '_blank';
  anchor.rel = 'nofollow noopener noreferrer';
}

function QuotedStatus({ status }: { status: Status }) {
  return (
    <a class="quoted" href={`/web/statuses/${status.id}`} aria-label={t('status.quoted_post', { name: displayName(status.account) })}>
      <span class="quoted-author">
        <bdi>{displayName(status.account)}</bdi> <span class="acct">@{status.account.acct}</span>
      </span>
      {status.spoiler_text ? (
        <span class="quoted-cw">{status.spoiler_text}</span>
      ) : (
        <span class="quoted-content" dangerouslySetInnerHTML={{ __html: withEmojis(status.content, status.emojis) }} />
      )}
    </a>
  );
}

export interface StatusProps {
  status: Status;
  /** The post this view is about (thread view): shown larger, with its full date. */
  focused?: boolean;
  onDeleted?: (id: string) => void;
  position?: number;
  setSize?: number;
}

export function StatusCard({ status: initial, focused = false, onDeleted, position, setSize }: StatusProps) {
  const app = useApp();
  const [outer, setOuter] = useState(initial);
  const [showContent, setShowContent] = useState(!initial.reblog?.spoiler_text && !initial.spoiler_text);
  const [deleted, setDeleted] = useState(false);
  const status = outer.reblog ?? outer;
  const setStatus = (next: Status) => setOuter(outer.reblog ? { ...outer, reblog: next } : next);
  const mine = status.account.id === app.me.id;

  const act = async (action: 'favourite' | 'unfavourite' | 'reblog' | 'unreblog' | 'bookmark' | 'unbookmark', done: MessageKey) => {
    try {
      const next = await app.api.post<Status>(`/api/v1/statuses/${status.id}/${action}`);
      setStatus(action === 'reblog' && next.reblog ? next.reblog : next);
      app.announce(t(done));
    } catch (error) {
      app.announce(error instanceof ApiError ? error.message : t('error.generic'));
    }
  };
  const remove = async (redraft: boolean) => {
    if (!confirm(redraft ? t('status.redraft_confirm') : t('status.delete_confirm'))) return;
    try {
      const source = await app.api.delete<Status & { text?: string }>(`/api/v1/statuses/${status.id}`);
      setDeleted(true);
      onDeleted?.(status.id);
      app.announce(t('status.deleted'));
      if (redraft) {
        app.compose({
          text: source.text ?? '',
          spoilerText: source.spoiler_text,
          visibility: source.visibility,
          language: source.language,
          inReplyTo: status.in_reply_to_id ? { id: status.in_reply_to_id, acct: '' } : undefined,
        });
      }
    } catch (error) {
      app.announce(error instanceof ApiError ? error.message : t('error.generic'));
    }
  };
  const edit = async () => {
    const source = await app.api.get<StatusSource>(`/api/v1/statuses/${status.id}/source`);
    app.compose({
      text: source.text,
      spoilerText: source.spoiler_text,
      visibility: status.visibility,
      language: status.language,
      editing: status.id,
      mediaIds: status.media_attachments.map((m) => m.id),
    });
  };
  if (deleted) return null;

  const name = displayName(status.account);
  const quotable = status.visibility === 'public' || status.visibility === 'unlisted';
  return (
    <article
      class={`status${focused ? ' focused' : ''}`}
      aria-label={t('status.by', { name })}
      aria-posinset={position}
      aria-setsize={setSize}
      tabIndex={0}
      lang={status.language ?? undefined}
    >
      {outer.reblog ? (
        <p class="reblog-note">
          <a href={`/web/accounts/${outer.account.id}`}>{t('status.reblogged_by', { name: displayName(outer.account) })}</a>
        </p>
      ) : null}
      <header class="status-header">
        <Avatar account={status.account} />
        <AccountName account={status.account} />
        <a class="status-time" href={`/web/statuses/${status.id}`}>
          <time dateTime={status.created_at} title={formatDateTime(status.created_at)}>
            {focused ? formatDateTime(status.created_at) : formatRelative(status.created_at)}
          </time>
          {status.edited_at ? <span class="edited"> · {t('status.edited')}</span> : null}
        </a>
        <span class="visibility-badge">{t(VISIBILITY_KEYS[status.visibility])}</span>
      </header>
      {status.in_reply_to_id && !focused ? (
        <p class="reply-note">
          <a href={`/web/statuses/${status.in_reply_to_id}`}>{t('status.in_reply')}</a>
        </p>
      ) : null}
      {status.spoiler_text ? (
        <div class="spoiler">
          <span class="spoiler-text">
            <EmojiText text={status.spoiler_text} emojis={status.emojis} />
          </span>
          <button type="button" aria-expanded={showContent} onClick={() => setShowContent(!showContent)}>
            {showContent ? t('status.show_less') : t('status.show_more')}
          </button>
        </div>
      ) : null}
      {showContent ? (
        <>
          <div
            class="status-content"
            onClick={(e) => onContentClick(e, status)}
            dangerouslySetInnerHTML={{ __html: withEmojis(status.content, status.emojis) }}
          />
          {status.poll ? <PollView poll={status.poll} ownPost={status.account.id === app.me.id} /> : null}
          {status.card && !status.media_attachments.length && !status.quote?.quoted_status ? <LinkCard card={status.card} /> : null}
          {status.quote?.quoted_status ? <QuotedStatus status={status.quote.quoted_status} /> : null}
        </>
      ) : null}
      <MediaGallery media={status.media_attachments} sensitive={status.sensitive} />
      <footer class="status-actions">
        <button
          type="button"
          onClick={() =>
            app.compose({
              inReplyTo: { id: status.id, acct: status.account.acct },
              visibility: status.visibility,
              spoilerText: status.spoiler_text,
              text: mentionsFor(status, app.me.acct),
            })
          }
        >
          <span aria-hidden="true">↩</span>
          <span class="visually-hidden">{t('status.reply')}</span> {formatNumber(status.replies_count)}
        </button>
        <button
          type="button"
          aria-pressed={!!status.reblogged}
          disabled={!quotable && !mine}
          onClick={() => void act(status.reblogged ? 'unreblog' : 'reblog', status.reblogged ? 'status.unreblogged' : 'status.reblogged')}
        >
          <span aria-hidden="true">⟳</span>
          <span class="visually-hidden">{t('status.reblog')}</span> {formatNumber(status.reblogs_count)}
        </button>
        <button
          type="button"
          aria-pressed={!!status.favourited}
          onClick={() =>
            void act(status.favourited ? 'unfavourite' : 'favourite', status.favourited ? 'status.unfavourited' : 'status.favourited')
          }
        >
          <span aria-hidden="true">★</span>
          <span class="visually-hidden">{t('status.favourite')}</span> {formatNumber(status.favourites_count)}
        </button>
        <button
          type="button"
          aria-pressed={!!status.bookmarked}
          onClick={() =>
            void act(status.bookmarked ? 'unbookmark' : 'bookmark', status.bookmarked ? 'status.unbookmarked' : 'status.bookmarked')
          }
          aria-label={t('status.bookmark')}
        >
          <span aria-hidden="true">⚑</span>
        </button>
        {quotable ? (
          <button
            type="button"
            onClick={() => app.compose({ quote: { id: status.id, acct: status.account.acct } })}
            aria-label={t('status.quote')}
          >
            <span aria-hidden="true">❝</span>
          </button>
        ) : null}
        {mine ? (
          <details class="menu">
            <summary aria-label={t('status.more')}>⋯</summary>
            <div class="menu-items">
              <button type="button" onClick={() => void edit()}>
                {t('status.edit')}
              </button>
              <button type="button" onClick={() => void remove(true)}>
                {t('status.redraft')}
              </button>
              <button type="button" class="danger" onClick={() => void remove(false)}>
                {t('status.delete')}
              </button>
            </div>
          </details>
        ) : null}
      </footer>
    </article>
  );
}

/** The handles a reply starts with: the author's and everyone mentioned, but never one's own. */
function mentionsFor(status: Status, self: string): string {
  const handles = [status.account.acct, ...status.mentions.map((m) => m.acct)].filter(
    (acct, i, all) => acct !== self && all.indexOf(acct) === i,
  );
  return handles.length ? `${handles.map((h) => `@${h}`).join(' ')} ` : '';
}
