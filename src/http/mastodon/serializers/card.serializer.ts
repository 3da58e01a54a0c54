import type { CardRow } from '../../../domain/cards/preview-cards.ts';
import type { PreviewCard } from '../entities.ts';

/**
 * Mastodon's PreviewCard entity. Its image is served from this server's media (re-encoded when fetched);
 * no page's HTML is ever embedded (`html` is empty).
 */
export function serializeCard(card: CardRow, urls: { readonly media: { readonly baseUrl: string } }): PreviewCard {
  return {
    url: card.url,
    title: card.title,
    description: card.description,
    type: card.type,
    author_name: card.author_name,
    author_url: card.author_url,
    provider_name: card.provider_name,
    provider_url: card.provider_url,
    html: '',
    width: Number(card.width),
    height: Number(card.height),
    image: card.image_key ? `${urls.media.baseUrl}/${card.image_key}` : null,
    image_description: '',
    embed_url: '',
    blurhash: card.blurhash,
    language: card.language,
    published_at: card.published_at,
    authors: card.author_name ? [{ name: card.author_name, url: card.author_url, account: null }] : [],
  };
}
