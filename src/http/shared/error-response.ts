import { HTTPException } from 'hono/http-exception';
import {
  Conflict,
  DomainError,
  type FieldProblem,
  Forbidden,
  Invalid,
  NotFound,
  RateLimited,
  TooLarge,
  Unauthorized,
  Unavailable,
} from '../../domain/errors.ts';
import { HttpError } from './http-error.ts';
import { OAuthError } from '../../domain/auth/oauth-error.ts';

/** What a surface needs to answer an error: a status, a message safe to show, and extra headers. */
export interface PublicError {
  status: number;
  message: string;
  /** Field names to their problems, for validation errors. */
  details?: Readonly<Record<string, readonly FieldProblem[]>>;
  headers?: Record<string, string>;
  /** An OAuth error code: the body is then `{"error": code, "error_description": message}`. */
  oauthCode?: string;
  /** True when the error is ours, not the client's: it is logged with its stack. */
  internal: boolean;
}

/** Maps any thrown value to its public form, once for every surface. Internal detail never leaves here. */
export function toPublicError(error: unknown): PublicError {
  if (error instanceof HttpError) return { status: error.status, message: error.message, internal: false };
  if (error instanceof DomainError) return fromDomain(error);
  if (error instanceof HTTPException && error.status < 500) {
    return { status: error.status, message: error.message || 'Bad request', internal: false };
  }
  if (isStorageOutage(error))
    return {
      status: 503,
      message: 'The service is temporarily unavailable; please try again in a moment',
      headers: { 'Retry-After': '5' },
      internal: true,
    };
  return { status: 500, message: 'Internal server error', internal: true };
}

/** Connection codes (Node, PostgreSQL SQLSTATE classes 08 and 57, too many connections) and SQLite's busy. */
const OUTAGE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  '08000',
  '08001',
  '08003',
  '08006',
  '57P01',
  '57P02',
  '57P03',
  '53300',
]);

/** Whether the database (or another store) is down or overloaded: the request fails closed with a 503. */
function isStorageOutage(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, errcode, message } = error as { code?: unknown; errcode?: unknown; message?: unknown };
  if (typeof code === 'string' && OUTAGE_CODES.has(code)) return true;
  if (errcode === 5 || errcode === 6) return true; // SQLITE_BUSY, SQLITE_LOCKED
  return typeof message === 'string' && /Connection terminated|timeout exceeded when trying to connect/i.test(message);
}

function fromDomain(error: DomainError): PublicError {
  const base = { message: error.publicMessage, internal: false };
  if (error instanceof OAuthError) return { ...base, status: error.status, oauthCode: error.code };
  if (error instanceof NotFound) return { ...base, status: 404 };
  if (error instanceof Unauthorized) return { ...base, status: 401 };
  if (error instanceof Forbidden) return { ...base, status: 403 };
  if (error instanceof Invalid) return { ...base, status: 422, details: error.details };
  if (error instanceof Conflict) return { ...base, status: 409 };
  if (error instanceof TooLarge) return { ...base, status: 413 };
  if (error instanceof RateLimited) return { ...base, status: 429, headers: { 'Retry-After': String(error.retryAfterSeconds) } };
  if (error instanceof Unavailable) return { ...base, status: 503 };
  return { status: 500, message: 'Internal server error', internal: true };
}
