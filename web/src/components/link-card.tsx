// A link's preview under a post: its image, title, description and site, all one link to the page.
import type { PreviewCard } from '../types.ts';

export function LinkCard({ card }: { card: PreviewCard }) {
  return (
    <a class="link-card" href={card.url} target="_blank" rel="nofollow noopener noreferrer">
      {card.image ? <img class="link-card-image" src={card.image} alt="" loading="lazy" decoding="async" /> : null}
      <span class="link-card-text">
        <span class="link-card-site">{card.provider_name || new URL(card.url).host}</span>
        <strong class="link-card-title">{card.title}</strong>
        {card.description ? <span class="link-card-description">{card.description}</span> : null}
      </span>
    </a>
  );
}
