/** Limits that keep a hostile form from costing more than a normal one. */
const MAX_FIELDS = 1000;
const MAX_DEPTH = 5;
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** A form or JSON value after parsing: strings (or files) nested in arrays and objects. */
export type FieldValue = string | File | FieldValue[] | { [key: string]: FieldValue };

/**
 * Turns Rails-style form fields (`media_ids[]=1`, `poll[options][]=a`, `fields_attributes[0][name]=x`),
 * as Mastodon clients send them, into nested objects and arrays.
 */
export function nestFormFields(entries: Iterable<[string, string | File]>): Record<string, FieldValue> {
  const root: Record<string, FieldValue> = {};
  let count = 0;
  for (const [name, value] of entries) {
    if (++count > MAX_FIELDS) throw new RangeError(`a form may have at most ${MAX_FIELDS} fields`);
    const path = splitName(name);
    if (path === null || path.some((key) => FORBIDDEN_KEYS.has(key))) continue;
    assign(root, path, value);
  }
  return root;
}

/** `a[b][]` -> ['a', 'b', ''], or null for a name that is not well formed or nests too deep. */
function splitName(name: string): string[] | null {
  const match = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(name);
  if (!match) return null;
  const keys = [match[1]!, ...[...match[2]!.matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1]!)];
  return keys.length > MAX_DEPTH + 1 ? null : keys;
}

function assign(target: Record<string, FieldValue> | FieldValue[], path: string[], value: string | File): void {
  const [key, ...rest] = path as [string, ...string[]];
  if (Array.isArray(target)) {
    // Arrays only grow at the end: `a[]=1&a[]=2`. As Rails reads them, `a[][x]=1&a[][y]=2` is one object,
    // and a key the last object already has starts the next one (`a[][x]=1&a[][x]=2` is two).
    if (rest.length === 0) target.push(value);
    else if (rest[0] === '') {
      const child: FieldValue[] = [];
      target.push(child);
      assign(child, rest, value);
    } else {
      const last = target.at(-1);
      const open = typeof last === 'object' && !Array.isArray(last) && !(last instanceof File) && !Object.hasOwn(last, rest[0]!);
      const child = open ? last : {};
      if (!open) target.push(child);
      assign(child, rest, value);
    }
    return;
  }
  if (rest.length === 0) {
    target[key] = value;
    return;
  }
  const wantArray = rest[0] === '';
  let child = target[key];
  if (wantArray ? !Array.isArray(child) : typeof child !== 'object' || Array.isArray(child) || child instanceof File) {
    child = wantArray ? [] : {};
    target[key] = child;
  }
  assign(child as FieldValue[] | Record<string, FieldValue>, rest, value);
}
