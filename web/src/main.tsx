// Start: read what the server put in the page, load the account and the server's limits, render.
import { render } from 'preact';
import { Api } from './api.ts';
import { App } from './app.tsx';
import { t } from './i18n/index.ts';
import { applyPrefs, loadPrefs } from './prefs.ts';
import { interceptLinks } from './router.ts';
import { readInitialState } from './state.ts';
import type { CredentialAccount, Instance } from './types.ts';
import './styles.css';

async function start(): Promise<void> {
  const root = document.getElementById('app')!;
  const prefs = loadPrefs();
  applyPrefs(prefs);
  const initial = readInitialState();
  if (!initial) {
    location.assign(`/auth/sign_in?return_to=${encodeURIComponent(location.pathname + location.search)}`);
    return;
  }
  const api = new Api(initial.token);
  try {
    const [me, instance] = await Promise.all([
      api.get<CredentialAccount>('/api/v1/accounts/verify_credentials'),
      api.get<Instance>('/api/v2/instance'),
    ]);
    interceptLinks(document.body);
    render(<App api={api} me={me} instance={instance} prefs={prefs} csrf={initial.csrf} vapidKey={initial.vapidKey} />, root);
  } catch {
    root.textContent = t('error.start');
  }
  if ('serviceWorker' in navigator) navigator.serviceWorker.register('/sw.js', { type: 'module', scope: '/' }).catch(() => undefined);
}

void start();
