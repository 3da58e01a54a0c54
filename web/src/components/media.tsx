// Media in a post: blurhash placeholders while the image loads (lazily), sensitive media behind a button,
// the alt text shown to everyone who asks for it.
import { decode } from 'blurhash';
import { useEffect, useRef, useState } from 'preact/hooks';
import { t } from '../i18n/index.ts';
import type { MediaAttachment } from '../types.ts';
import { useApp } from '../state.ts';

function Blurhash({ hash }: { hash: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const element = canvas.current;
    const context = element?.getContext('2d');
    if (!element || !context) return;
    try {
      const pixels = decode(hash, 32, 32);
      const image = context.createImageData(32, 32);
      image.data.set(pixels);
      context.putImageData(image, 0, 0);
    } catch {
      // An invalid hash from another server: the plain background stays.
    }
  }, [hash]);
  return <canvas class="blurhash" ref={canvas} width={32} height={32} aria-hidden="true" />;
}

/** `object-position` from a focal point (x, y in -1..1, y up), so crops keep what matters in view. */
export function focusPosition(focus: { x: number; y: number } | undefined): string {
  if (!focus) return '50% 50%';
  return `${Math.round(((focus.x + 1) / 2) * 100)}% ${Math.round(((1 - focus.y) / 2) * 100)}%`;
}

function Item({ media }: { media: MediaAttachment }) {
  const [loaded, setLoaded] = useState(false);
  const [showAlt, setShowAlt] = useState(false);
  const alt = media.description ?? '';
  const source = media.preview_url ?? media.url;
  let body;
  if (media.type === 'video' || media.type === 'gifv') {
    body = media.url ? (
      <video
        src={media.url}
        poster={media.preview_url ?? undefined}
        controls={media.type === 'video'}
        autoplay={false}
        loop={media.type === 'gifv'}
        muted={media.type === 'gifv'}
        preload="none"
        aria-label={alt || t('media.video')}
      />
    ) : null;
  } else if (media.type === 'audio') {
    body = media.url ? <audio src={media.url} controls preload="none" aria-label={alt || t('media.audio')} /> : null;
  } else if (media.type === 'image' && source) {
    body = (
      <a href={media.url ?? source} target="_blank" rel="noopener noreferrer">
        {media.blurhash && !loaded ? <Blurhash hash={media.blurhash} /> : null}
        <img
          src={source}
          alt={alt}
          loading="lazy"
          decoding="async"
          onLoad={() => setLoaded(true)}
          style={{ objectPosition: focusPosition(media.meta?.focus) }}
        />
      </a>
    );
  }
  if (!body) return <div class="media-unknown">{t('media.unavailable')}</div>;
  return (
    <figure class="media-item">
      {body}
      {alt ? (
        <figcaption>
          <button type="button" class="alt-badge" aria-expanded={showAlt} onClick={() => setShowAlt(!showAlt)}>
            ALT
          </button>
          {showAlt ? <span class="alt-text">{alt}</span> : null}
        </figcaption>
      ) : null}
    </figure>
  );
}

export function MediaGallery({ media, sensitive }: { media: MediaAttachment[]; sensitive: boolean }) {
  const { prefs } = useApp();
  const hidden = prefs.mediaDisplay === 'hide_all' || (prefs.mediaDisplay === 'default' && sensitive);
  const [revealed, setRevealed] = useState(!hidden);
  if (media.length === 0) return null;
  if (!revealed) {
    return (
      <div class="media-hidden">
        {media[0]?.blurhash ? <Blurhash hash={media[0].blurhash} /> : null}
        <button type="button" onClick={() => setRevealed(true)}>
          {sensitive ? t('media.sensitive_show') : t('media.hidden_show')}
        </button>
      </div>
    );
  }
  return (
    <div class={`media-gallery count-${Math.min(media.length, 4)}`}>
      {media.map((m) => (
        <Item key={m.id} media={m} />
      ))}
      {hidden ? (
        <button type="button" class="media-hide" onClick={() => setRevealed(false)}>
          {t('media.hide')}
        </button>
      ) : null}
    </div>
  );
}
