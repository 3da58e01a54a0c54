import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { FieldProblem } from '../errors.ts';

export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 256;

let common: Set<string> | undefined;

/** The ~50,000 most common passwords (shipped in `@zxcvbn-ts/language-common`), read on first use. */
function commonPasswords(): Set<string> {
  if (!common) {
    const path = createRequire(import.meta.url).resolve('@zxcvbn-ts/language-common/src/passwords.json');
    common = new Set((JSON.parse(readFileSync(path, 'utf8')) as string[]).map((p) => p.toLowerCase()));
  }
  return common;
}

/** What is wrong with a new password, or nothing. */
export function passwordProblems(password: string, context: { username?: string; email?: string } = {}): FieldProblem[] {
  if (password.length < MIN_PASSWORD_LENGTH)
    return [{ error: 'ERR_TOO_SHORT', description: `is too short (minimum is ${MIN_PASSWORD_LENGTH} characters)` }];
  if (password.length > MAX_PASSWORD_LENGTH)
    return [{ error: 'ERR_TOO_LONG', description: `is too long (maximum is ${MAX_PASSWORD_LENGTH} characters)` }];
  const lower = password.toLowerCase();
  if (commonPasswords().has(lower)) return [{ error: 'ERR_INVALID', description: 'is one of the most common passwords; choose another' }];
  if ((context.username && lower === context.username.toLowerCase()) || (context.email && lower === context.email.toLowerCase())) {
    return [{ error: 'ERR_INVALID', description: 'must not be your username or email address' }];
  }
  return [];
}
