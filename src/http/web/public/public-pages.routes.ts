import { publicDomainBlocks } from '../../../domain/moderation/admin.views.ts';
import { Hono, type Context } from 'hono';
import type { Config } from '../../../config/index.ts';
import type { InstanceService } from '../../../domain/instance/instance.service.ts';
import type { Clock } from '../../../lib/clock.ts';
import type { DbReader } from '../../../storage/db/database.ts';
import { countAccounts } from '../../../domain/accounts/account-counts.repo.ts';
import { isShown, findAccountByHandle, noteHtml, profileFieldsHtml, type AccountRow } from '../../../domain/accounts/accounts.repo.ts';
import { loadStatusViews } from '../../../domain/statuses/statuses.views.ts';
import { findStatusById } from '../../../domain/statuses/statuses.repo.ts';
import { threadContext } from '../../../domain/statuses/thread.ts';
import { canSee } from '../../../domain/statuses/visibility-policy.ts';
import { accountTimeline, tagTimeline } from '../../../domain/timelines/timelines.views.ts';
import { isoAt } from '../../../lib/clock.ts';
import { escapeHtml, plainText } from '../../../lib/html.ts';
import { isUuid7 } from '../../../lib/uuid7.ts';
import { toBool } from '../../../storage/db/db-errors.ts';
import type { AppEnv } from '../../shared/app-env.ts';
import type { BrowserSessions } from '../../shared/browser-session.ts';
import { html, SafeHtml } from '../../shared/html.ts';
import { pageCsp, renderPage } from '../../shared/page-layout.ts';
import { avatarUrl, handleOf, profilePath, renderPost } from './post-html.ts';
import { isHashtagName } from '../../../domain/statuses/text-format.ts';

const PAGE_SIZE = 20;
const FEED_SIZE = 20;

/**
 * The public web: profile pages (`/@user`, `/@user@remote.host`), post pages (`/@user/<id>`), an Atom
 * feed per account (`/@user.atom`), hashtag pages (`/tags/<name>`) and `/about`. Readable without JavaScript, with OpenGraph and
 * canonical links for link previews; what they show is what the visibility policy lets the visitor see
 * (signed in or not), so a followers-only post is a 404 to a stranger, exactly as in the API.
 */
export function publicPagesRoutes(
  deps: { config: Config; clock: Clock; read: DbReader; instance: InstanceService },
  browser: BrowserSessions,
): Hono<AppEnv> {
  const { read, config, clock } = deps;
  const site = config.instance.name;
  const routes = new Hono<AppEnv>();
  const mediaOrigin = new URL(config.media.baseUrl).origin;

  routes.use('/@*', browser.middleware);
  routes.use('/about', browser.middleware);

  const viewerOf = (c: Context<AppEnv>) => c.var.session?.account.id ?? null;
  /** ActivityPub clients that ask for a page's object (a pasted profile or post link) are sent to it. */
  const wantsActivityPub = (c: Context<AppEnv>) => /application\/(activity\+json|ld\+json)/.test(c.req.header('accept') ?? '');
  /** Signed-in-only servers send visitors to sign in first (and back here after). */
  const gate = (c: Context<AppEnv>) =>
    config.instance.publicPages === 'signed-in' && !c.var.session
      ? c.redirect(`/auth/sign_in?return_to=${encodeURIComponent(new URL(c.req.url).pathname)}`, 302)
      : null;
  const page = (c: Context<AppEnv>, title: string, body: SafeHtml, head: SafeHtml, status: 200 | 404 = 200, noindex = false) => {
    c.header('Content-Security-Policy', pageCsp(mediaOrigin));
    c.header('Cache-Control', c.var.session ? 'private, no-store' : 'public, max-age=60');
    c.header('Vary', 'Cookie');
    if (noindex) c.header('X-Robots-Tag', 'noindex');
    return c.html(renderPage({ title: `${title} - ${site}`, siteName: site, body, head }), status);
  };
  const notFound = (c: Context<AppEnv>) =>
    page(c, 'Not found', html`<h1>Not found</h1><p>There is nothing here, or nothing you may see.</p>`, html``, 404, true);

  /** The account a `@user` or `@user@host` path names, if it may be shown. */
  const accountAt = async (handle: string): Promise<AccountRow | null> => {
    const match = /^@([a-zA-Z0-9_.-]{1,100})(?:@([a-zA-Z0-9.:-]{1,253}))?$/.exec(handle);
    if (!match) return null;
    const [, username, domain] = match as unknown as [string, string, string | undefined];
    const remote = domain && domain.toLowerCase() !== config.domain ? domain.toLowerCase() : null;
    const account = await findAccountByHandle(read, username, remote);
    return account && (await isShown(read, account)) ? account : null;
  };

  const openGraph = (o: {
    type: string;
    title: string;
    description: string;
    url: string;
    image: string;
    canonical: string;
    extra?: SafeHtml;
  }) => html`<link rel="canonical" href="${o.canonical}">
<meta name="description" content="${o.description}">
<meta property="og:site_name" content="${site}">
<meta property="og:type" content="${o.type}">
<meta property="og:title" content="${o.title}">
<meta property="og:description" content="${o.description}">
<meta property="og:url" content="${o.url}">
<meta property="og:image" content="${o.image}">
<meta name="twitter:card" content="summary">
${o.extra ?? ''}`;

  routes.get('/:handle{@[^/]+}', async (c) => {
    const gated = gate(c);
    if (gated) return gated;
    const handle = c.req.param('handle');
    if (handle.endsWith('.atom')) return feed(c, handle.slice(0, -'.atom'.length));
    const account = await accountAt(handle);
    if (!account) return notFound(c);
    if (wantsActivityPub(c) && account.domain === null) return c.redirect(account.uri, 302);
    const viewer = viewerOf(c);
    const maxId = c.req.query('max_id');
    const rows = await accountTimeline(
      read,
      viewer,
      isoAt(clock),
      account.id,
      { maxId: maxId && isUuid7(maxId) ? maxId : undefined, limit: PAGE_SIZE },
      { excludeReplies: true },
    );
    const views = await loadStatusViews(read, viewer, rows);
    const counts = (await countAccounts(read, [account.id])).get(account.id)!;
    const local = account.domain === null;
    const name = account.display_name || account.username;
    const fullHandle = local ? `@${account.username}@${config.domain}` : handleOf(account);
    const url = `${config.publicUrl}${profilePath(account)}`;
    const hidden = toBool(account.hide_collections);
    const fields = profileFieldsHtml(account);
    const body = html`<section class="profile" aria-labelledby="profile-name">
<img class="avatar large" src="${avatarUrl(account, config)}" alt="" width="96" height="96">
<h1 id="profile-name">${name}</h1>
<p class="handle">${fullHandle}${toBool(account.locked) ? ' (approves followers)' : ''}${toBool(account.bot) ? ' (automated)' : ''}</p>
<div class="bio">${new SafeHtml(noteHtml(account))}</div>
${fields.length ? html`<dl class="fields">${fields.map((f) => html`<div><dt>${f.name}</dt><dd>${new SafeHtml(f.value)}</dd></div>`)}</dl>` : ''}
<dl class="stats"><div><dt>Posts</dt><dd>${counts.statuses}</dd></div>${hidden ? '' : html`<div><dt>Following</dt><dd>${counts.following}</dd></div><div><dt>Followers</dt><dd>${counts.followers}</dd></div>`}</dl>
${local ? html`<p><a href="/${handleOf(account)}.atom">Atom feed</a></p>` : html`<p><a href="${account.url ?? account.uri}" rel="noopener">See the full profile on ${account.domain}</a></p>`}
</section>
<section aria-label="Posts" class="posts">
${views.length ? views.map((v) => renderPost(v, config, { headingLevel: 2 })) : html`<p class="empty">No posts to show.</p>`}
</section>
${rows.length === PAGE_SIZE ? html`<nav class="pager"><a href="${profilePath(account)}?max_id=${rows[rows.length - 1]!.id}" rel="next">Older posts</a></nav>` : ''}`;
    const head = openGraph({
      type: 'profile',
      title: `${name} (${fullHandle})`,
      description: plainText(noteHtml(account)) || `Posts by ${name}`,
      url,
      image: avatarUrl(account, config),
      canonical: local ? url : (account.url ?? account.uri),
      extra: html`${local ? html`<link rel="alternate" type="application/atom+xml" title="${name}" href="${url}.atom">` : ''}
<link rel="alternate" type="application/activity+json" href="${account.uri}">
${toBool(account.discoverable) && local ? '' : html`<meta name="robots" content="noindex">`}`,
    });
    return page(c, `${name} (${fullHandle})`, body, head, 200, !(toBool(account.discoverable) && local));
  });

  routes.get('/:handle{@[^/]+}/:id', async (c) => {
    const gated = gate(c);
    if (gated) return gated;
    const account = await accountAt(c.req.param('handle'));
    const id = c.req.param('id');
    if (!account || !isUuid7(id)) return notFound(c);
    const viewer = viewerOf(c);
    const status = await findStatusById(read, id);
    // The same answer for a post that does not exist and one the visitor may not see.
    if (!status || status.account_id !== account.id || status.reblog_of_id !== null || !(await canSee(read, viewer, status.id)))
      return notFound(c);
    if (wantsActivityPub(c) && account.domain === null) return c.redirect(status.uri, 302);
    const { ancestors, descendants } = await threadContext(read, viewer, status, isoAt(clock));
    const [focused, ...rest] = await loadStatusViews(read, viewer, [status, ...ancestors, ...descendants]);
    const before = rest.slice(0, ancestors.length);
    const after = rest.slice(ancestors.length);
    const name = account.display_name || account.username;
    const fullHandle = account.domain === null ? `@${account.username}@${config.domain}` : handleOf(account);
    const text = status.spoiler_text ? `Content warning: ${status.spoiler_text}` : plainText(status.content);
    const image =
      status.spoiler_text || status.sensitive || account.sensitized_at
        ? undefined
        : focused!.media.find((m) => m.state === 'ready' && m.type === 'image');
    const url = `${config.publicUrl}${profilePath(account)}/${status.id}`;
    const body = html`${before.length ? html`<section class="ancestors" aria-label="Earlier in the thread">${before.map((v) => renderPost(v, config))}</section>` : ''}
<h1 class="visually-hidden">Post by ${name}</h1>
${renderPost(focused!, config, { focused: true })}
${after.length ? html`<section class="replies" aria-label="Replies">${after.map((v) => renderPost(v, config))}</section>` : ''}`;
    const head = openGraph({
      type: 'article',
      title: `${name} (${fullHandle})`,
      description: text,
      url,
      image: image ? `${config.media.baseUrl}/${image.preview_key ?? image.file_key!}` : avatarUrl(account, config),
      canonical: account.domain === null ? url : (status.url ?? status.uri),
      extra: html`<meta property="article:published_time" content="${status.created_at}">
<link rel="alternate" type="application/activity+json" href="${status.uri}">
${status.visibility !== 'public' || account.domain !== null ? html`<meta name="robots" content="noindex">` : ''}`,
    });
    return page(
      c,
      `${name}: "${plainText(status.spoiler_text || status.content, 60)}"`,
      body,
      head,
      200,
      status.visibility !== 'public' || account.domain !== null,
    );
  });

  /** An Atom feed of a local account's public posts (not replies to others, not reposts). */
  async function feed(c: Context<AppEnv>, handle: string) {
    const account = await accountAt(handle);
    if (!account || account.domain !== null) return c.text('Not found', 404);
    const rows = (
      await accountTimeline(read, null, isoAt(clock), account.id, { limit: FEED_SIZE }, { excludeReplies: true, excludeReblogs: true })
    ).filter((s) => s.visibility === 'public');
    const views = await loadStatusViews(read, null, rows);
    const url = `${config.publicUrl}${profilePath(account)}`;
    const name = account.display_name || account.username;
    const x = escapeHtml;
    const entries = views.map(({ status, media }) => {
      const content = `${status.spoiler_text ? `<p><strong>${x(status.spoiler_text)}</strong></p>` : ''}${status.content}${media
        .filter((m) => m.state === 'ready' && m.file_key)
        .map((m) => `<p><a href="${x(`${config.media.baseUrl}/${m.file_key!}`)}">${x(m.description ?? 'Attachment')}</a></p>`)
        .join('')}`;
      return `<entry>
<id>${x(status.uri)}</id>
<title>${x(plainText(status.spoiler_text || status.content, 80) || 'Post')}</title>
<link rel="alternate" type="text/html" href="${x(`${url}/${status.id}`)}"/>
<published>${x(status.created_at)}</published>
<updated>${x(status.edited_at ?? status.created_at)}</updated>
<content type="html">${x(content)}</content>
</entry>`;
    });
    const updated = rows[0]?.edited_at ?? rows[0]?.created_at ?? account.created_at;
    const xml = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<id>${x(account.uri)}</id>
<title>${x(name)}</title>
<subtitle>${x(plainText(noteHtml(account)))}</subtitle>
<author><name>${x(name)}</name><uri>${x(url)}</uri></author>
<link rel="alternate" type="text/html" href="${x(url)}"/>
<link rel="self" type="application/atom+xml" href="${x(`${url}.atom`)}"/>
<icon>${x(avatarUrl(account, config))}</icon>
<updated>${x(updated)}</updated>
${entries.join('\n')}
</feed>
`;
    c.header('Cache-Control', 'public, max-age=300');
    return c.body(xml, 200, { 'content-type': 'application/atom+xml; charset=utf-8' });
  }

  // Where the hashtags in posts link to: the public posts with that tag, newest first.
  routes.use('/tags/*', browser.middleware);
  routes.get('/tags/:name', async (c) => {
    const gated = gate(c);
    if (gated) return gated;
    const name = c.req.param('name');
    if (!isHashtagName(name)) return notFound(c);
    const viewer = viewerOf(c);
    const maxId = c.req.query('max_id');
    const rows = await tagTimeline(
      read,
      viewer,
      isoAt(clock),
      { maxId: maxId && isUuid7(maxId) ? maxId : undefined, limit: PAGE_SIZE },
      { name },
    );
    const views = await loadStatusViews(read, viewer, rows);
    const url = `${config.publicUrl}/tags/${encodeURIComponent(name.toLowerCase())}`;
    const body = html`<h1>#${name}</h1>
<section aria-label="Posts" class="posts">
${views.length ? views.map((v) => renderPost(v, config)) : html`<p class="empty">No public posts with this hashtag yet.</p>`}
</section>
${rows.length === PAGE_SIZE ? html`<nav class="pager"><a href="/tags/${encodeURIComponent(name)}?max_id=${rows[rows.length - 1]!.id}" rel="next">Older posts</a></nav>` : ''}`;
    const head = openGraph({
      type: 'website',
      title: `#${name}`,
      description: `Public posts with #${name} on ${site}`,
      url,
      image: `${config.publicUrl}/static/thumbnail.png`,
      canonical: url,
    });
    return page(c, `#${name}`, body, head, 200, true);
  });

  routes.get('/about', async (c) => {
    const { name, description, contactEmail, rules } = config.instance;
    const stats = await deps.instance.stats();
    const blocked = await publicDomainBlocks(read);
    const registration = {
      open: 'Anyone may sign up.',
      approval: 'Anyone may apply to join; a moderator approves each application.',
      invite: 'Joining needs an invitation.',
      closed: 'Sign-ups are closed.',
    }[config.registration.mode];
    const body = html`<h1>About ${name}</h1>
${description ? html`<p class="description">${description}</p>` : ''}
<p>${name} is a Stoa server at <strong>${config.domain}</strong> with ${stats.userCount} ${stats.userCount === 1 ? 'member' : 'members'}. Any Mastodon app can connect to it, and its members can follow and be followed from other servers of the fediverse.</p>
<h2>Rules</h2>
${rules.length ? html`<ol class="rules">${rules.map((r) => html`<li>${r}</li>`)}</ol>` : html`<p>This server has not published rules.</p>`}
<h2>Joining</h2>
<p>${registration}${config.registration.mode === 'closed' ? '' : html` <a href="/auth/sign_up">Sign up</a>.`}</p>
<h2>Moderated servers</h2>
${blocked.length ? html`<p>This server does not federate with, or limits, these servers:</p><ul class="domain-blocks">${blocked.map((b) => html`<li><strong>${b.domain}</strong> (${b.severity === 'suspend' ? 'suspended' : 'limited'})${b.comment ? `: ${b.comment}` : ''}</li>`)}</ul>` : html`<p>None.</p>`}
<h2>Contact</h2>
${contactEmail ? html`<p><a href="mailto:${contactEmail}">${contactEmail}</a></p>` : html`<p>No contact address was given.</p>`}
<p><a href="${config.instance.sourceUrl}">Source code</a></p>`;
    const head = openGraph({
      type: 'website',
      title: `About ${name}`,
      description: description || `${name}, a Stoa server`,
      url: `${config.publicUrl}/about`,
      image: `${config.publicUrl}/static/thumbnail.png`,
      canonical: `${config.publicUrl}/about`,
    });
    return page(c, 'About', body, head);
  });

  return routes;
}
