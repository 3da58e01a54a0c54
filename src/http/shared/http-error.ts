/** An error about the HTTP exchange itself (a body too large, a malformed body), with its status. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly status: 400 | 401 | 403 | 404 | 405 | 406 | 408 | 411 | 413 | 415 | 422 | 429;

  constructor(status: HttpError['status'], publicMessage: string) {
    super(publicMessage);
    this.status = status;
  }
}
