// Custom emoji: `:shortcode:` in a post, a name or a bio shown as the server's image of it.
import type { CustomEmoji } from '../types.ts';

const SHORTCODE = /:([a-zA-Z0-9_]{2,64}):/g;

function emojiImage(emoji: CustomEmoji): HTMLImageElement {
  const img = document.createElement('img');
  img.className = 'custom-emoji';
  img.src = emoji.url;
  img.alt = `:${emoji.shortcode}:`;
  img.title = `:${emoji.shortcode}:`;
  img.draggable = false;
  return img;
}

/**
 * The server's (already sanitized) HTML with each known `:shortcode:` in its text replaced by the emoji's
 * image; attributes and unknown shortcodes are left as they are.
 */
export function withEmojis(html: string, emojis: readonly CustomEmoji[]): string {
  if (!emojis.length || !html.includes(':')) return html;
  const known = new Map(emojis.map((e) => [e.shortcode, e]));
  const template = document.createElement('template');
  template.innerHTML = html;
  const walker = document.createTreeWalker(template.content, NodeFilter.SHOW_TEXT);
  const texts: Text[] = [];
  while (walker.nextNode()) texts.push(walker.currentNode as Text);
  for (const node of texts) {
    const value = node.data;
    if (!SHORTCODE.test(value)) continue;
    SHORTCODE.lastIndex = 0;
    const parts: (string | Node)[] = [];
    let last = 0;
    for (const match of value.matchAll(SHORTCODE)) {
      const emoji = known.get(match[1]!);
      if (!emoji) continue;
      parts.push(value.slice(last, match.index), emojiImage(emoji));
      last = match.index + match[0].length;
    }
    if (!parts.length) continue;
    parts.push(value.slice(last));
    node.replaceWith(...parts);
  }
  return template.innerHTML;
}

/** Plain text (a display name) with its known custom emoji as images. */
export function EmojiText({ text, emojis }: { text: string; emojis: readonly CustomEmoji[] }) {
  if (!emojis.length) return <>{text}</>;
  const known = new Map(emojis.map((e) => [e.shortcode, e]));
  const out: preact.ComponentChildren[] = [];
  let last = 0;
  for (const match of text.matchAll(SHORTCODE)) {
    const emoji = known.get(match[1]!);
    if (!emoji) continue;
    out.push(
      text.slice(last, match.index),
      <img
        key={match.index}
        class="custom-emoji"
        src={emoji.url}
        alt={`:${emoji.shortcode}:`}
        title={`:${emoji.shortcode}:`}
        draggable={false}
      />,
    );
    last = match.index + match[0].length;
  }
  out.push(text.slice(last));
  return <>{out}</>;
}
