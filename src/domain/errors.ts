/**
 * Errors the domain raises on purpose. Each carries a message safe to show to a client; every surface
 * maps these once to its own wire shape. Anything else that escapes is an internal error.
 */
export abstract class DomainError extends Error {
  /** Words a client may see; never internal detail. */
  readonly publicMessage: string;

  constructor(publicMessage: string, options?: ErrorOptions) {
    super(publicMessage, options);
    this.publicMessage = publicMessage;
  }
}

/** The thing does not exist, or the caller may not know that it exists (same answer for both). */
export class NotFound extends DomainError {
  override readonly name = 'NotFound';
  constructor(publicMessage = 'Record not found') {
    super(publicMessage);
  }
}

/** The caller is known but may not do this. */
export class Forbidden extends DomainError {
  override readonly name = 'Forbidden';
  constructor(publicMessage = 'This action is not allowed') {
    super(publicMessage);
  }
}

/** The caller must authenticate first. */
export class Unauthorized extends DomainError {
  override readonly name = 'Unauthorized';
  constructor(publicMessage = 'The access token is invalid') {
    super(publicMessage);
  }
}

/** One problem with one field, with Mastodon's error code (`ERR_TAKEN`, `ERR_INVALID`, ...). */
export interface FieldProblem {
  readonly error: string;
  readonly description: string;
}

/** The input breaks a rule; `details` maps field names to what is wrong with each. */
export class Invalid extends DomainError {
  override readonly name = 'Invalid';
  readonly details: Readonly<Record<string, readonly FieldProblem[]>>;
  constructor(publicMessage: string, details: Record<string, readonly FieldProblem[]> = {}) {
    super(publicMessage);
    this.details = details;
  }
}

/** The request clashes with the current state (a taken username, a repeated action). */
export class Conflict extends DomainError {
  override readonly name = 'Conflict';
}

/** The request carries more than a limit allows (a file too large). */
export class TooLarge extends DomainError {
  override readonly name = 'TooLarge';
}

/** Too many requests; `retryAfterSeconds` tells the client when to try again. */
export class RateLimited extends DomainError {
  override readonly name = 'RateLimited';
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number, publicMessage = 'Too many requests') {
    super(publicMessage);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** A dependency (database, mail, remote server) is down; the action fails closed. */
export class Unavailable extends DomainError {
  override readonly name = 'Unavailable';
}
