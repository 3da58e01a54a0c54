// Settings: the public profile, the account (security pages, export, deletion) and this browser's preferences.
import { useState } from 'preact/hooks';
import { ApiError } from '../api.ts';
import { LOCALES, t, type Locale } from '../i18n/index.ts';
import type { MediaDisplay, Theme } from '../prefs.ts';
import { useApp } from '../state.ts';
import type { CredentialAccount, Visibility } from '../types.ts';
import { PushSetting } from './push-setting.tsx';

const MAX_FIELDS = 4;

function ProfileSettings() {
  const app = useApp();
  const source = app.me.source;
  const [displayNameValue, setDisplayName] = useState(app.me.display_name);
  const [note, setNote] = useState(source?.note ?? '');
  const [locked, setLocked] = useState(app.me.locked);
  const [discoverable, setDiscoverable] = useState(app.me.discoverable === true);
  const [privacy, setPrivacy] = useState<Visibility>(source?.privacy ?? 'public');
  const initialFields = source?.fields ?? app.me.fields;
  const [fields, setFields] = useState(
    Array.from({ length: MAX_FIELDS }, (_, i) => ({ name: initialFields[i]?.name ?? '', value: initialFields[i]?.value ?? '' })),
  );
  const [avatar, setAvatar] = useState<File | null>(null);
  const [header, setHeader] = useState<File | null>(null);
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);

  const save = async (event: Event) => {
    event.preventDefault();
    const form = new FormData();
    form.set('display_name', displayNameValue);
    form.set('note', note);
    form.set('locked', String(locked));
    form.set('discoverable', String(discoverable));
    form.set('source[privacy]', privacy);
    fields.forEach((field, i) => {
      form.set(`fields_attributes[${i}][name]`, field.name);
      form.set(`fields_attributes[${i}][value]`, field.value);
    });
    if (avatar) form.set('avatar', avatar);
    if (header) form.set('header', header);
    try {
      const me = await app.api.patch<CredentialAccount>('/api/v1/accounts/update_credentials', form);
      app.setMe(me);
      setMessage({ error: false, text: t('settings.saved') });
      app.announce(t('settings.saved'));
    } catch (e) {
      setMessage({ error: true, text: e instanceof ApiError ? e.message : t('error.generic') });
    }
  };
  return (
    <form class="settings-form" onSubmit={(e) => void save(e)}>
      <h2>{t('settings.profile')}</h2>
      <label class="field">
        <span>{t('settings.display_name')}</span>
        <input type="text" maxLength={30} value={displayNameValue} onInput={(e) => setDisplayName(e.currentTarget.value)} />
      </label>
      <label class="field">
        <span>{t('settings.bio')}</span>
        <textarea rows={4} maxLength={500} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
      </label>
      <label class="field">
        <span>{t('settings.avatar')}</span>
        <input
          type="file"
          accept="image/png,image/jpeg,image/webp,image/gif"
          onChange={(e) => setAvatar(e.currentTarget.files?.[0] ?? null)}
        />
      </label>
      <label class="field">
        <span>{t('settings.header')}</span>
        <input
          type="file"
          accept="image/png,image/jpeg,image/webp,image/gif"
          onChange={(e) => setHeader(e.currentTarget.files?.[0] ?? null)}
        />
      </label>
      <fieldset>
        <legend>{t('settings.fields')}</legend>
        {fields.map((field, i) => (
          <div class="field-pair" key={i}>
            <label class="field">
              <span>{t('settings.field_name', { n: i + 1 })}</span>
              <input
                type="text"
                maxLength={255}
                value={field.name}
                onInput={(e) => setFields(fields.map((f, j) => (j === i ? { ...f, name: e.currentTarget.value } : f)))}
              />
            </label>
            <label class="field">
              <span>{t('settings.field_value', { n: i + 1 })}</span>
              <input
                type="text"
                maxLength={255}
                value={field.value}
                onInput={(e) => setFields(fields.map((f, j) => (j === i ? { ...f, value: e.currentTarget.value } : f)))}
              />
            </label>
          </div>
        ))}
      </fieldset>
      <label class="check">
        <input type="checkbox" checked={locked} onChange={(e) => setLocked(e.currentTarget.checked)} />
        <span>{t('settings.locked')}</span>
      </label>
      <label class="check">
        <input type="checkbox" checked={discoverable} onChange={(e) => setDiscoverable(e.currentTarget.checked)} />
        <span>{t('settings.discoverable')}</span>
      </label>
      <label class="field">
        <span>{t('settings.default_visibility')}</span>
        <select value={privacy} onChange={(e) => setPrivacy(e.currentTarget.value as Visibility)}>
          <option value="public">{t('visibility.public')}</option>
          <option value="unlisted">{t('visibility.unlisted')}</option>
          <option value="private">{t('visibility.private')}</option>
        </select>
      </label>
      {message ? (
        <p class={message.error ? 'error' : 'notice'} role={message.error ? 'alert' : 'status'}>
          {message.text}
        </p>
      ) : null}
      <button type="submit" class="primary">
        {t('settings.save')}
      </button>
    </form>
  );
}

function AccountSettings() {
  const { csrf } = useApp();
  return (
    <section class="settings-form">
      <h2>{t('settings.account')}</h2>
      <p>{t('settings.account_intro')}</p>
      <ul class="link-list">
        <li>
          <a href="/settings/security">{t('settings.security')}</a>
        </li>
        <li>
          <a href="/auth/password">{t('settings.password')}</a>
        </li>
        <li>
          <a href="/settings/export">{t('settings.export')}</a>
        </li>
        <li>
          <a href="/settings/delete" class="danger">
            {t('settings.delete')}
          </a>
        </li>
      </ul>
      <form method="post" action="/auth/sign_out">
        <input type="hidden" name="_csrf" value={csrf} />
        <button type="submit">{t('nav.sign_out')}</button>
      </form>
    </section>
  );
}

function Preferences() {
  const app = useApp();
  const { prefs } = app;
  return (
    <section class="settings-form">
      <h2>{t('settings.preferences')}</h2>
      <label class="field">
        <span>{t('settings.language')}</span>
        <select value={prefs.locale} onChange={(e) => app.setPrefs({ ...prefs, locale: e.currentTarget.value as Locale })}>
          {Object.entries(LOCALES).map(([code, name]) => (
            <option key={code} value={code} lang={code}>
              {name}
            </option>
          ))}
        </select>
      </label>
      <fieldset>
        <legend>{t('settings.theme')}</legend>
        {(['system', 'light', 'dark'] as Theme[]).map((theme) => (
          <label class="check" key={theme}>
            <input
              type="radio"
              name="theme"
              value={theme}
              checked={prefs.theme === theme}
              onChange={() => app.setPrefs({ ...prefs, theme })}
            />
            <span>{t(`settings.theme_${theme}`)}</span>
          </label>
        ))}
      </fieldset>
      <label class="check">
        <input
          type="checkbox"
          checked={prefs.reducedMotion}
          onChange={(e) => app.setPrefs({ ...prefs, reducedMotion: e.currentTarget.checked })}
        />
        <span>{t('settings.reduced_motion')}</span>
      </label>
      <label class="field">
        <span>{t('settings.media_display')}</span>
        <select
          value={prefs.mediaDisplay}
          onChange={(e) => app.setPrefs({ ...prefs, mediaDisplay: e.currentTarget.value as MediaDisplay })}
        >
          <option value="default">{t('settings.media_default')}</option>
          <option value="show_all">{t('settings.media_show_all')}</option>
          <option value="hide_all">{t('settings.media_hide_all')}</option>
        </select>
      </label>
      <PushSetting />
    </section>
  );
}

export function SettingsScreen({ section }: { section: 'profile' | 'account' | 'preferences' }) {
  return (
    <>
      <h1>{t('nav.settings')}</h1>
      <nav class="tabs" aria-label={t('settings.sections')}>
        {(['profile', 'account', 'preferences'] as const).map((name) => (
          <a key={name} href={`/web/settings/${name}`} aria-current={name === section ? 'page' : undefined}>
            {t(`settings.${name}`)}
          </a>
        ))}
      </nav>
      {section === 'profile' ? <ProfileSettings /> : section === 'account' ? <AccountSettings /> : <Preferences />}
    </>
  );
}
