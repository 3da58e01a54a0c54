import { DomainError } from '../errors.ts';

/** OAuth 2.0 error codes (RFC 6749 section 5.2 and 4.1.2.1). */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'access_denied'
  | 'unsupported_response_type';

/** An OAuth error, answered as `{"error": code, "error_description": ...}`. */
export class OAuthError extends DomainError {
  override readonly name = 'OAuthError';
  readonly code: OAuthErrorCode;
  readonly status: 400 | 401 | 403;

  constructor(code: OAuthErrorCode, description: string, status: 400 | 401 | 403 = code === 'invalid_client' ? 401 : 400) {
    super(description);
    this.code = code;
    this.status = status;
  }
}
