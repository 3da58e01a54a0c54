import assert from 'node:assert/strict';

/** A test clock that only moves when told to. */
export function manualClock(start = Date.UTC(2026, 10, 22, 12, 0, 0)) {
  let now = start;
  const clock = () => now;
  return Object.assign(clock, {
    advance(ms: number) {
      now += ms;
    },
  });
}

/**
 * A minimal browser for tests: keeps cookies, does not follow redirects (tests look at each), and reads
 * the CSRF token out of pages the way a form would send it.
 */
export class TestBrowser {
  readonly base: string;
  readonly cookies = new Map<string, string>();
  readonly headers: Record<string, string>;

  constructor(base: string, headers: Record<string, string> = {}) {
    this.base = base;
    this.headers = headers;
  }

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    for (const [name, value] of Object.entries(this.headers)) headers.set(name, value);
    if (this.cookies.size) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(new URL(path, this.base), { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (!value || /max-age=0/i.test(line) || /expires=Thu, 01 Jan 1970/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }

  get(path: string): Promise<Response> {
    return this.request(path);
  }

  /** Posts a form as a browser would. */
  post(path: string, fields: Record<string, string>): Promise<Response> {
    return this.request(path, { method: 'POST', body: new URLSearchParams(fields) });
  }

  /** Posts JSON with the CSRF header, as the page scripts do. */
  postJson(path: string, body: unknown, csrf: string): Promise<Response> {
    return this.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
      body: JSON.stringify(body),
    });
  }

  /** Loads a page and returns its HTML and the CSRF token of its first form. */
  async page(path: string): Promise<{ html: string; csrf: string; status: number }> {
    const res = await this.get(path);
    const html = await res.text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? /data-csrf="([^"]+)"/.exec(html)?.[1] ?? '';
    return { html, csrf, status: res.status };
  }

  /** Signs in with a password through the form; returns the response to the form post. */
  async signIn(login: string, password: string, returnTo = '/'): Promise<Response> {
    const { csrf } = await this.page(`/auth/sign_in?return_to=${encodeURIComponent(returnTo)}`);
    assert.ok(csrf, 'the sign-in page has a CSRF token');
    return this.post('/auth/sign_in', { _csrf: csrf, login, password, return_to: returnTo });
  }
}
