// What every screen needs: the API, the signed-in account, the server's limits, preferences, and a way to
// tell screen readers what just happened.
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Api } from './api.ts';
import type { Prefs } from './prefs.ts';
import type { CredentialAccount, Instance } from './types.ts';

/** What the server puts in the page for the app (`<script type="application/json" id="stoa-state">`). */
export interface InitialState {
  token: string;
  accountId: string;
  csrf: string;
  vapidKey: string | null;
}

export interface AppState {
  readonly api: Api;
  readonly me: CredentialAccount;
  readonly instance: Instance;
  readonly prefs: Prefs;
  readonly csrf: string;
  readonly vapidKey: string | null;
  readonly setPrefs: (prefs: Prefs) => void;
  readonly setMe: (me: CredentialAccount) => void;
  /** Says `message` in the polite live region (and shows it briefly). */
  readonly announce: (message: string) => void;
  /** Opens the composer: for a reply, a quote, an edit or a redraft. */
  readonly compose: (draft?: Draft) => void;
}

export interface Draft {
  text?: string;
  spoilerText?: string;
  visibility?: 'public' | 'unlisted' | 'private' | 'direct';
  language?: string | null;
  inReplyTo?: { id: string; acct: string };
  quote?: { id: string; acct: string };
  editing?: string;
  mediaIds?: string[];
}

export const AppContext = createContext<AppState | null>(null);

export function useApp(): AppState {
  const state = useContext(AppContext);
  if (!state) throw new Error('useApp outside the app');
  return state;
}

/** Reads the state the server embedded in the page; null when the page carries none. */
export function readInitialState(): InitialState | null {
  const element = document.getElementById('stoa-state');
  if (!element?.textContent) return null;
  try {
    const state = JSON.parse(element.textContent) as InitialState;
    // The token now lives in memory only: take it out of the document.
    element.remove();
    return typeof state.token === 'string' && typeof state.accountId === 'string' ? state : null;
  } catch {
    return null;
  }
}
