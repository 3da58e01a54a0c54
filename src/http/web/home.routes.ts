import { Hono } from 'hono';
import type { Config } from '../../config/index.ts';
import type { InstanceService } from '../../domain/instance/instance.service.ts';
import { html } from '../shared/html.ts';
import { textFor } from './i18n/index.ts';
import type { AppEnv } from '../shared/app-env.ts';
import { PAGE_CSP, renderPage } from '../shared/page-layout.ts';

/** The landing page: what this server is and how many people it has, readable without JavaScript. */
export function homeRoutes(config: Pick<Config, 'instance' | 'domain'>, instance: InstanceService): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.get('/', async (c) => {
    const stats = await instance.stats();
    const { name, description, contactEmail } = config.instance;
    const { t, tHtml, number, locale } = textFor(c);
    const body = html`<h1>${name}</h1>
${description ? html`<p class="description">${description}</p>` : ''}
<dl class="stats">
<div><dt>${t('home.members')}</dt><dd>${number(stats.userCount)}</dd></div>
<div><dt>${t('home.posts')}</dt><dd>${number(stats.statusCount)}</dd></div>
<div><dt>${t('home.servers')}</dt><dd>${number(stats.domainCount)}</dd></div>
</dl>
<p>${tHtml('home.about', { domain: html`<strong>${config.domain}</strong>` })}</p>
<p><a href="/auth/sign_up">${t('home.join')}</a> · <a href="/auth/sign_in">${t('home.sign_in')}</a></p>
${contactEmail ? html`<p>${tHtml('home.contact', { email: html`<a href="mailto:${contactEmail}">${contactEmail}</a>` })}</p>` : ''}`;
    c.header('Content-Security-Policy', PAGE_CSP);
    return c.html(renderPage({ title: name, siteName: name, body, lang: locale }));
  });
  return routes;
}
