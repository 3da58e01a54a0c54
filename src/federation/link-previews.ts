import { Parser } from 'htmlparser2';
import type { CardData } from '../domain/cards/preview-cards.ts';
import { withoutNul } from '../lib/text.ts';
import type { SafeFetch } from './safe-fetch.ts';

/** What making a card needs: the SSRF-guarded fetch, and the pipeline that re-encodes its image. */
export interface LinkPreviewDeps {
  readonly fetch: SafeFetch;
  readonly cardImage: (bytes: Uint8Array) => Promise<{ key: string; width: number; height: number; blurhash: string | null }>;
}

/** What a page's head says: its meta tags, title, language and oEmbed link. */
interface PageHead {
  readonly meta: Map<string, string>;
  readonly title: string;
  readonly lang: string | null;
  readonly oembed: string | null;
}

const MAX_TITLE = 300;
const MAX_DESCRIPTION = 1000;
const MAX_NAME = 200;

function cap(text: string | undefined, max: number): string {
  const clean = withoutNul(text ?? '')
    .replace(/\s+/g, ' ')
    .trim();
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

/** An http(s) URL, resolved against the page, or ''. */
function absolute(value: string | undefined, base: string): string {
  if (!value) return '';
  try {
    const url = new URL(value, base);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : '';
  } catch {
    return '';
  }
}

/** Reads the head of an HTML page (OpenGraph and Twitter meta tags, `<title>`, `lang`, the oEmbed link). */
export function readHead(html: string): PageHead {
  const meta = new Map<string, string>();
  let title = '';
  let inTitle = false;
  let lang: string | null = null;
  let oembed: string | null = null;
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (name === 'html' && attributes.lang) lang = attributes.lang.slice(0, 16);
        if (name === 'title') inTitle = true;
        if (name === 'meta') {
          const key = (attributes.property ?? attributes.name ?? '').toLowerCase();
          if (key && attributes.content !== undefined && !meta.has(key)) meta.set(key, attributes.content);
        }
        if (name === 'link' && (attributes.type ?? '').toLowerCase() === 'application/json+oembed' && attributes.href)
          oembed ??= attributes.href;
      },
      ontext(text) {
        if (inTitle && title.length < 1000) title += text;
      },
      onclosetag(name) {
        if (name === 'title') inTitle = false;
        // Everything a card needs is in the head: the body is not read.
        if (name === 'head') parser.pause();
      },
    },
    { decodeEntities: true },
  );
  parser.write(html);
  parser.end();
  return { meta, title, lang, oembed };
}

/**
 * Makes the preview card of `url`: fetches the page through the guard (HTML only), reads its OpenGraph
 * tags (and its oEmbed document, if it names one), and fetches and re-encodes its image. Null when the page
 * cannot be read, is not HTML, or says nothing worth showing.
 */
export async function fetchCardData(url: string, deps: LinkPreviewDeps): Promise<CardData | null> {
  const response = await deps.fetch(url, { headers: { accept: 'text/html, application/xhtml+xml;q=0.9' } });
  if (!response.ok || !/^(text\/html|application\/xhtml\+xml)/i.test(response.headers.get('content-type') ?? '')) {
    await response.body?.cancel();
    return null;
  }
  const page = response.url || url;
  const head = readHead(await response.text());
  const tag = (...keys: string[]) => keys.map((k) => head.meta.get(k)).find((v) => v !== undefined && v.trim() !== '');
  let oembed: Record<string, unknown> = {};
  const oembedUrl = absolute(head.oembed ?? undefined, page);
  if (oembedUrl) {
    try {
      const answer = await deps.fetch(oembedUrl, { headers: { accept: 'application/json' } });
      if (answer.ok) oembed = (await answer.json()) as Record<string, unknown>;
    } catch {
      // an oEmbed document that cannot be read adds nothing
    }
  }
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  const title = cap(tag('og:title', 'twitter:title') ?? text(oembed.title) ?? head.title, MAX_TITLE);
  const description = cap(tag('og:description', 'twitter:description', 'description'), MAX_DESCRIPTION);
  if (!title && !description) return null;
  let image: CardData['image'] = null;
  const imageUrl = absolute(
    tag('og:image:secure_url', 'og:image', 'twitter:image', 'twitter:image:src') ?? text(oembed.thumbnail_url),
    page,
  );
  if (imageUrl) {
    try {
      const file = await deps.fetch(imageUrl, { headers: { accept: 'image/*' } });
      if (file.ok) image = await deps.cardImage(new Uint8Array(await file.arrayBuffer()));
    } catch {
      // a card without its image is still a card
    }
  }
  const published = Date.parse(tag('article:published_time') ?? '');
  const host = new URL(page).host;
  return {
    type: text(oembed.type) === 'photo' ? 'photo' : 'link',
    title,
    description,
    authorName: cap(text(oembed.author_name) ?? tag('article:author', 'author'), MAX_NAME),
    authorUrl: absolute(text(oembed.author_url), page),
    providerName: cap(text(oembed.provider_name) ?? tag('og:site_name') ?? host, MAX_NAME),
    providerUrl: absolute(text(oembed.provider_url), page),
    language: head.lang,
    publishedAt: Number.isNaN(published) ? null : new Date(published).toISOString(),
    image,
  };
}
