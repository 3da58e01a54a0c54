import type { Context } from 'hono';
import { z } from 'zod';
import { Invalid, type FieldProblem } from '../../domain/errors.ts';
import type { AppEnv } from './app-env.ts';
import { nestFormFields } from './form-fields.ts';

/** A boolean as forms (`"true"`, `"1"`, `"on"`) and JSON (`true`) send it. */
export const formBool = z.union([
  z.boolean(),
  z.number().transform((n) => n !== 0),
  // As Mastodon's framework reads them: `0`, `f`, `false` and `off` (in any case) are false, an empty
  // value is no value, anything else is true (the `toot` client sends `resolve=False`).
  z.string().transform((v) => (v.trim() === '' ? undefined : !['0', 'f', 'false', 'off'].includes(v.trim().toLowerCase()))),
]);

/**
 * A list or object parameter that a plain string stands in for: dropped, as Mastodon's framework drops a
 * scalar where it permits only a nested value (a careless client sends the string `undefined`).
 */
export const nested = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (typeof v === 'string' ? undefined : v), schema);

/** A list that may arrive as one string or as `name[]=a&name[]=b`. */
export const stringList = (item: z.ZodType<string> = z.string()) => z.union([item.transform((v) => [v]), z.array(item)]);

/**
 * The request's parameters, validated: the query string and the parsed body together, as Mastodon clients
 * send them either way. A failure is a 422 naming each field.
 */
export function readInput<T extends z.ZodType>(c: Context<AppEnv>, schema: T): z.output<T> {
  const query = nestFormFields(new URL(c.req.url).searchParams.entries());
  return validate(schema, { ...query, ...c.var.body });
}

/** Validates `data` against `schema`, or throws `Invalid` with Mastodon-shaped details. */
export function validate<T extends z.ZodType>(schema: T, data: unknown): z.output<T> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const details: Record<string, FieldProblem[]> = {};
  for (const issue of result.error.issues) {
    const field = issue.path.map(String).join('.') || 'base';
    const missing = issue.code === 'invalid_type' && valueAt(data, issue.path) === undefined;
    (details[field] ??= []).push({ error: missing ? 'ERR_BLANK' : 'ERR_INVALID', description: missing ? "can't be blank" : issue.message });
  }
  throw new Invalid('Validation failed', details);
}

/** The value under `path` in `data`, or undefined when any step is missing. */
function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let value = data;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}
