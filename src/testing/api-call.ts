import type { TestServer } from './test-app.ts';

/**
 * Calls the API over HTTP as a client would: a string body is sent as a form (as some apps send them), an
 * object as JSON. Answers the status, the parsed JSON body and the `Link` header.
 */
export async function apiCall(
  server: Pick<TestServer, 'url'>,
  method: string,
  path: string,
  token: string,
  body?: string | Record<string, unknown>,
): Promise<{ status: number; body: any; link: string | null }> {
  const form = typeof body === 'string';
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json' }),
    },
    body: body === undefined ? undefined : form ? body : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any, link: res.headers.get('link') };
}
