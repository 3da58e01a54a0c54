import type { StatusView } from '../../../domain/statuses/statuses.views.ts';
import { html, SafeHtml, type SafeHtml as Html } from '../../shared/html.ts';

/** What the renderers need to know about the server. */
export interface PageUrls {
  readonly publicUrl: string;
  readonly domain: string;
  readonly media: { readonly baseUrl: string };
}

/** `@user` for local accounts, `@user@domain` for remote ones. */
export function handleOf(account: { username: string; domain: string | null }): string {
  return account.domain ? `@${account.username}@${account.domain}` : `@${account.username}`;
}

/** Where an account's page is on this server. */
export function profilePath(account: { username: string; domain: string | null }): string {
  return `/${handleOf(account)}`;
}

export function avatarUrl(account: { avatar_key: string | null }, urls: PageUrls): string {
  return account.avatar_key ? `${urls.media.baseUrl}/${account.avatar_key}` : `${urls.publicUrl}/static/avatar.png`;
}

/**
 * One post as an article: author, time (a link to its page), content warning as a disclosure, the
 * sanitized content, media with their descriptions (lazy-loaded), the quoted post. Reposts name who
 * reposted. Content is HTML sanitized when stored; everything else is escaped here.
 */
export function renderPost(view: StatusView, urls: PageUrls, options: { headingLevel?: 2 | 3; focused?: boolean } = {}): Html {
  if (view.reblog) {
    return html`<div class="repost"><p class="repost-by"><a href="${profilePath(view.account)}">${view.account.display_name || view.account.username}</a> reposted</p>${renderPost(view.reblog, urls, options)}</div>`;
  }
  const { status, account } = view;
  const local = account.domain === null;
  const href = local ? `/${handleOf(account)}/${status.id}` : (status.url ?? status.uri);
  const body = new SafeHtml(status.content);
  const media = view.media.filter((m) => m.state === 'ready' && m.file_key);
  const content = html`<div class="content" lang="${status.language ?? ''}">${body}</div>
${media.length ? html`<div class="media">${media.map((m) => (m.type === 'image' || m.type === 'gifv' ? html`<a href="${urls.media.baseUrl}/${m.file_key}"><img src="${urls.media.baseUrl}/${m.preview_key ?? m.file_key!}" alt="${m.description ?? ''}" loading="lazy" decoding="async"></a>` : m.type === 'audio' ? html`<audio controls preload="none" src="${urls.media.baseUrl}/${m.file_key}" aria-label="${m.description ?? 'Audio'}"></audio>` : html`<video controls preload="none" src="${urls.media.baseUrl}/${m.file_key}" aria-label="${m.description ?? 'Video'}"></video>`))}</div>` : ''}
${view.quote?.status ? html`<blockquote class="quote">${renderPost(view.quote.status, urls, { headingLevel: 3 })}</blockquote>` : view.quote ? html`<p class="quote-missing">The quoted post is not available.</p>` : ''}`;
  return html`<article class="post${options.focused ? ' focused' : ''}" id="post-${status.id}">
<header><a class="author" href="${profilePath(account)}"><img class="avatar" src="${avatarUrl(account, urls)}" alt="" width="40" height="40" loading="lazy"><span class="name">${account.display_name || account.username}</span> <span class="handle">${handleOf(account)}${local ? `@${urls.domain}` : ''}</span></a>
<a class="time" href="${href}"><time datetime="${status.created_at}">${status.created_at.slice(0, 16).replace('T', ' ')}</time></a></header>
${status.spoiler_text ? html`<details><summary>${status.spoiler_text}</summary>${content}</details>` : content}
<p class="counts">${count(view.counts.replies, 'reply', 'replies')} · ${count(view.counts.reblogs, 'repost', 'reposts')} · ${count(view.counts.favourites, 'like', 'likes')}${status.edited_at ? ' · edited' : ''}</p>
</article>`;
}

const plural = new Intl.PluralRules('en');

/** "1 reply", "2 replies". */
function count(n: number, one: string, other: string): string {
  return `${n} ${plural.select(n) === 'one' ? one : other}`;
}
