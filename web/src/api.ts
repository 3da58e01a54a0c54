// The client of Stoa's public Mastodon API: the web app talks to the server through nothing else.

/** An error the server answered, with the message it gave (Mastodon's `{ error }` shape). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** A page of a paged list and the cursor of the next (older) page, from the `Link` header. */
export interface Page<T> {
  items: T[];
  next: string | null;
  prev: string | null;
}

type Query = Record<string, string | number | boolean | readonly string[] | undefined>;

function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value as readonly string[]) params.append(key, v);
    else params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `${path}${path.includes('?') ? '&' : '?'}${text}` : path;
}

/** The `rel="next"`/`rel="prev"` URLs of a `Link` header, as paths on this server. */
export function parseLink(header: string | null): { next: string | null; prev: string | null } {
  const found = { next: null as string | null, prev: null as string | null };
  for (const part of (header ?? '').split(',')) {
    const match = /<([^>]+)>\s*;\s*rel="(next|prev)"/.exec(part);
    if (!match?.[1] || !match[2]) continue;
    const url = new URL(match[1], location.origin);
    if (url.origin === location.origin) found[match[2] as 'next' | 'prev'] = url.pathname + url.search;
  }
  return found;
}

/** The API, authenticated by the token the page handed over (held in memory only). */
export class Api {
  constructor(private readonly token: string) {}

  private async send(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = { Authorization: `Bearer ${this.token}`, Accept: 'application/json' };
    let payload: BodyInit | undefined;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    let response: Response;
    try {
      response = await fetch(path, { method, headers, body: payload, credentials: 'omit', cache: 'no-store' });
    } catch {
      throw new ApiError(0, 'network');
    }
    if (!response.ok) {
      const data = (await response.json().catch(() => null)) as { error?: string } | null;
      throw new ApiError(response.status, data?.error ?? response.statusText);
    }
    return response;
  }

  async get<T>(path: string, query?: Query): Promise<T> {
    return (await (await this.send('GET', withQuery(path, query))).json()) as T;
  }

  async page<T>(path: string, query?: Query): Promise<Page<T>> {
    const response = await this.send('GET', withQuery(path, query));
    return { items: (await response.json()) as T[], ...parseLink(response.headers.get('link')) };
  }

  async post<T>(path: string, body?: unknown): Promise<T> {
    const response = await this.send('POST', path, body ?? {});
    return (response.status === 204 ? {} : await response.json()) as T;
  }

  async put<T>(path: string, body: unknown): Promise<T> {
    return (await (await this.send('PUT', path, body)).json()) as T;
  }

  async patch<T>(path: string, body: unknown): Promise<T> {
    return (await (await this.send('PATCH', path, body)).json()) as T;
  }

  async delete<T>(path: string): Promise<T> {
    const response = await this.send('DELETE', path);
    return (response.status === 204 ? {} : await response.json()) as T;
  }

  /** Status code only: media uploads answer 202 while the file is processed. */
  async upload<T>(path: string, form: FormData): Promise<{ status: number; body: T }> {
    const response = await this.send('POST', path, form);
    return { status: response.status, body: (await response.json()) as T };
  }
}
