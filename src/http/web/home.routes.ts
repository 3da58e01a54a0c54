import { Hono } from 'hono';
import type { Config } from '../../config/index.ts';
import type { InstanceService } from '../../domain/instance/instance.service.ts';
import { escapeHtml } from '../../lib/html.ts';
import type { AppEnv } from '../shared/app-env.ts';
import { PAGE_CSP, renderPage } from '../shared/page-layout.ts';

/** The landing page: what this server is and how many people it has, readable without JavaScript. */
export function homeRoutes(config: Pick<Config, 'instance' | 'domain'>, instance: InstanceService): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.get('/', async (c) => {
    const stats = await instance.stats();
    const { name, description, contactEmail } = config.instance;
    const format = new Intl.NumberFormat('en');
    const body = `<h1>${escapeHtml(name)}</h1>
${description ? `<p class="description">${escapeHtml(description)}</p>` : ''}
<dl class="stats">
<div><dt>Members</dt><dd>${format.format(stats.userCount)}</dd></div>
<div><dt>Posts</dt><dd>${format.format(stats.statusCount)}</dd></div>
<div><dt>Connected servers</dt><dd>${format.format(stats.domainCount)}</dd></div>
</dl>
<p>This is a Stoa server at <strong>${escapeHtml(config.domain)}</strong>. Any Mastodon app can connect to it.</p>
${contactEmail ? `<p>Contact: <a href="mailto:${escapeHtml(contactEmail)}">${escapeHtml(contactEmail)}</a></p>` : ''}`;
    c.header('Content-Security-Policy', PAGE_CSP);
    return c.html(renderPage({ title: name, siteName: name, body }));
  });
  return routes;
}
