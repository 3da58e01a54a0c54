// The composer, in a modal dialog: text with a counter, content warning, visibility, language, media with
// alt text and focal point; for a new post, a reply, a quote, an edit or a redraft.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api.ts';
import { currentLocale, formatNumber, t } from '../i18n/index.ts';
import { useApp, type Draft } from '../state.ts';
import type { MediaAttachment, Status, Visibility } from '../types.ts';
import { focusPosition } from './media.tsx';

/** Characters as the server counts them: every link as 23, a remote mention as its local part. */
export function countCharacters(text: string): number {
  const counted = text
    .replace(/https?:\/\/[^\s<>"]+/g, 'x'.repeat(23))
    .replace(/(^|[^\w/])@(\w+)@[\w.-]+\w/g, (_all, before: string, user: string) => `${before}@${user}`);
  return [...counted].length;
}

const LANGUAGES = ['en', 'de', 'fr', 'es', 'it', 'nl', 'pt', 'pl', 'sv', 'ja', 'zh', 'ar', 'he', 'uk', 'ru'];

interface Upload {
  key: string;
  file: File;
  preview: string;
  media: MediaAttachment | null;
  description: string;
  focus: { x: number; y: number };
  error: string | null;
}

function FocalPoint({ upload, onChange }: { upload: Upload; onChange: (focus: { x: number; y: number }) => void }) {
  const pick = (event: MouseEvent) => {
    const box = (event.currentTarget as HTMLElement).getBoundingClientRect();
    const x = ((event.clientX - box.left) / box.width) * 2 - 1;
    const y = 1 - ((event.clientY - box.top) / box.height) * 2;
    onChange({ x: Math.max(-1, Math.min(1, Math.round(x * 100) / 100)), y: Math.max(-1, Math.min(1, Math.round(y * 100) / 100)) });
  };
  const nudge = (event: KeyboardEvent) => {
    const step = 0.1;
    const moves: Record<string, [number, number]> = {
      ArrowLeft: [-step, 0],
      ArrowRight: [step, 0],
      ArrowUp: [0, step],
      ArrowDown: [0, -step],
    };
    const move = moves[event.key];
    if (!move) return;
    event.preventDefault();
    const clamp = (v: number) => Math.max(-1, Math.min(1, Math.round(v * 100) / 100));
    onChange({ x: clamp(upload.focus.x + move[0]), y: clamp(upload.focus.y + move[1]) });
  };
  return (
    <div
      class="focal-picker"
      role="slider"
      tabIndex={0}
      aria-label={t('compose.focal_point')}
      aria-valuetext={`x ${upload.focus.x}, y ${upload.focus.y}`}
      onClick={pick}
      onKeyDown={nudge}
    >
      <img src={upload.preview} alt="" style={{ objectPosition: focusPosition(upload.focus) }} />
      <span
        class="focal-mark"
        aria-hidden="true"
        style={{ insetInlineStart: `${((upload.focus.x + 1) / 2) * 100}%`, top: `${((1 - upload.focus.y) / 2) * 100}%` }}
      />
    </div>
  );
}

export function ComposeDialog({ draft, onClose }: { draft: Draft | null; onClose: () => void }) {
  const app = useApp();
  const dialog = useRef<HTMLDialogElement>(null);
  const textarea = useRef<HTMLTextAreaElement>(null);
  const [text, setText] = useState('');
  const [cw, setCw] = useState('');
  const [cwOn, setCwOn] = useState(false);
  const [visibility, setVisibility] = useState<Visibility>('public');
  const [language, setLanguage] = useState<string>(currentLocale());
  const [uploads, setUploads] = useState<Upload[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const limits = app.instance.configuration;
  const max = limits.statuses.max_characters;
  const left = max - countCharacters(text) - (cwOn ? countCharacters(cw) : 0);

  useEffect(() => {
    if (!draft) {
      dialog.current?.close();
      return;
    }
    setText(draft.text ?? '');
    setCw(draft.spoilerText ?? '');
    setCwOn(!!draft.spoilerText);
    setVisibility(draft.visibility ?? app.me.source?.privacy ?? 'public');
    setLanguage(draft.language || app.me.source?.language || currentLocale());
    setUploads([]);
    setError(null);
    if (!dialog.current?.open) dialog.current?.showModal();
    // The focus goes to the text, after what the draft already holds (a reply's mentions).
    const area = textarea.current;
    area?.focus();
    area?.setSelectionRange(area.value.length, area.value.length);
  }, [draft]);

  const update = (key: string, change: Partial<Upload>) => setUploads((all) => all.map((u) => (u.key === key ? { ...u, ...change } : u)));

  const addFiles = async (files: FileList | null) => {
    if (!files) return;
    const room = limits.statuses.max_media_attachments - uploads.length;
    const chosen = [...files].slice(0, Math.max(0, room));
    if (files.length > chosen.length) setError(t('compose.too_many_files', { count: limits.statuses.max_media_attachments }));
    const added = chosen.map((file) => ({
      key: `${file.name}-${file.size}-${Math.random()}`,
      file,
      preview: URL.createObjectURL(file),
      media: null,
      description: '',
      focus: { x: 0, y: 0 },
      error: null,
    }));
    setUploads((all) => [...all, ...added]);
    for (const upload of added) {
      const form = new FormData();
      form.append('file', upload.file);
      try {
        let { body } = await app.api.upload<MediaAttachment>('/api/v2/media', form);
        // Large files are processed after the upload answers (202): wait until the file is ready.
        for (let tries = 0; !body.url && tries < 240; tries++) {
          await new Promise((resolve) => setTimeout(resolve, 500));
          body = await app.api.get<MediaAttachment>(`/api/v1/media/${body.id}`);
        }
        update(upload.key, body.url ? { media: body } : { error: t('compose.processing_failed') });
      } catch (e) {
        update(upload.key, { error: e instanceof ApiError ? e.message : t('error.generic') });
      }
    }
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    if (!draft || busy) return;
    if (left < 0) return setError(t('compose.too_long'));
    if (uploads.some((u) => !u.media)) return setError(t('compose.wait_uploads'));
    setBusy(true);
    setError(null);
    try {
      for (const upload of uploads) {
        const focus = `${upload.focus.x},${upload.focus.y}`;
        await app.api.put(`/api/v1/media/${upload.media!.id}`, { description: upload.description, focus });
      }
      const body = {
        status: text,
        spoiler_text: cwOn ? cw : '',
        sensitive: cwOn && uploads.length > 0,
        visibility,
        language,
        media_ids: [...(draft.mediaIds ?? []), ...uploads.map((u) => u.media!.id)],
        ...(draft.inReplyTo ? { in_reply_to_id: draft.inReplyTo.id } : {}),
        ...(draft.quote ? { quoted_status_id: draft.quote.id } : {}),
      };
      const status = draft.editing
        ? await app.api.put<Status>(`/api/v1/statuses/${draft.editing}`, body)
        : await app.api.post<Status>('/api/v1/statuses', body);
      app.announce(draft.editing ? t('compose.edited') : t('compose.posted'));
      for (const upload of uploads) URL.revokeObjectURL(upload.preview);
      onClose();
      window.dispatchEvent(new CustomEvent('stoa:posted', { detail: status }));
    } catch (e) {
      setError(e instanceof ApiError ? e.message : t('error.generic'));
    } finally {
      setBusy(false);
    }
  };

  const title = draft?.editing
    ? t('compose.title_edit')
    : draft?.inReplyTo
      ? t('compose.title_reply', { acct: draft.inReplyTo.acct })
      : draft?.quote
        ? t('compose.title_quote', { acct: draft.quote.acct })
        : t('compose.title');
  return (
    <dialog ref={dialog} class="compose" aria-labelledby="compose-title" onClose={onClose}>
      <form onSubmit={(e) => void submit(e)}>
        <h2 id="compose-title">{title}</h2>
        {cwOn ? (
          <label class="field">
            <span>{t('compose.cw_label')}</span>
            <input type="text" value={cw} maxLength={max} onInput={(e) => setCw(e.currentTarget.value)} />
          </label>
        ) : null}
        <label class="field">
          <span>{t('compose.text_label')}</span>
          <textarea
            ref={textarea}
            rows={6}
            value={text}
            lang={language}
            onInput={(e) => setText(e.currentTarget.value)}
            aria-describedby="compose-counter"
          />
        </label>
        <p id="compose-counter" class={`counter${left < 0 ? ' over' : ''}`} aria-live="polite">
          {t('compose.characters_left', { count: formatNumber(left) })}
        </p>
        {uploads.length ? (
          <ul class="uploads">
            {uploads.map((upload) => (
              <li key={upload.key} class="upload">
                {upload.file.type.startsWith('image/') ? (
                  <FocalPoint upload={upload} onChange={(focus) => update(upload.key, { focus })} />
                ) : (
                  <span class="file-name">{upload.file.name}</span>
                )}
                <label class="field">
                  <span>{t('compose.alt_label')}</span>
                  <textarea
                    rows={2}
                    maxLength={limits.media_attachments.description_limit}
                    value={upload.description}
                    onInput={(e) => update(upload.key, { description: e.currentTarget.value })}
                  />
                </label>
                <p class="upload-state" aria-live="polite">
                  {upload.error ?? (upload.media ? t('compose.uploaded') : t('compose.uploading'))}
                </p>
                <button type="button" onClick={() => setUploads((all) => all.filter((u) => u.key !== upload.key))}>
                  {t('compose.remove_media')}
                </button>
              </li>
            ))}
          </ul>
        ) : null}
        <div class="compose-options">
          <label class="file-button">
            <span>{t('compose.add_media')}</span>
            <input
              type="file"
              accept="image/*,video/*,audio/*"
              multiple
              disabled={!!draft?.editing || uploads.length >= limits.statuses.max_media_attachments}
              onChange={(e) => void addFiles(e.currentTarget.files)}
            />
          </label>
          <label class="check">
            <input type="checkbox" checked={cwOn} onChange={(e) => setCwOn(e.currentTarget.checked)} />
            <span>{t('compose.cw_toggle')}</span>
          </label>
          <label class="field inline">
            <span>{t('compose.visibility')}</span>
            <select value={visibility} disabled={!!draft?.editing} onChange={(e) => setVisibility(e.currentTarget.value as Visibility)}>
              <option value="public">{t('visibility.public')}</option>
              <option value="unlisted">{t('visibility.unlisted')}</option>
              <option value="private">{t('visibility.private')}</option>
              <option value="direct">{t('visibility.direct')}</option>
            </select>
          </label>
          <label class="field inline">
            <span>{t('compose.language')}</span>
            <select value={language} onChange={(e) => setLanguage(e.currentTarget.value)}>
              {(LANGUAGES.includes(language) ? LANGUAGES : [language, ...LANGUAGES]).map((code) => (
                <option key={code} value={code} lang={code}>
                  {new Intl.DisplayNames([code], { type: 'language' }).of(code) ?? code}
                </option>
              ))}
            </select>
          </label>
        </div>
        {error ? (
          <p class="error" role="alert">
            {error}
          </p>
        ) : null}
        <div class="dialog-buttons">
          <button type="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button
            type="submit"
            class="primary"
            disabled={busy || left < 0 || (!text.trim() && uploads.length === 0 && !draft?.mediaIds?.length)}
          >
            {draft?.editing ? t('compose.save') : t('compose.publish')}
          </button>
        </div>
      </form>
    </dialog>
  );
}
