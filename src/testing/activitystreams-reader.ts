import { createRequire } from 'node:module';
import { preloadedContexts } from '@fedify/vocab-runtime';

// An ActivityStreams reader independent of Fedify: `activitystrea.ms` (JSON-LD expansion by jsonld.js
// and its own object model). Only the JSON-LD context documents are taken from Fedify's bundled copies,
// so that nothing is fetched from the internet; the processing is all the other library's.

const require = createRequire(import.meta.url);

interface AsValue {
  readonly id: string | undefined;
  readonly type: string | string[] | undefined;
  get(property: string): unknown;
}

const as = require('activitystrea.ms') as { import(input: unknown): Promise<AsValue | null> };
const Loader = require('activitystrea.ms/src/contextloader.js') as { defaultInstance: { register(url: string, context: unknown): void } };
for (const [url, context] of Object.entries(preloadedContexts)) Loader.defaultInstance.register(url, context);

/** What the independent reader found in a document: its type, id, and the values of some properties. */
export interface ReadObject {
  readonly type: string;
  readonly id: string;
  /** The first value of an ActivityStreams (or other full IRI) property, as text, or undefined. */
  value(property: string): string | undefined;
  /** Every value of a property, as text (ids of linked objects, or literal values). `orderedItems` is `items` in the vocabulary. */
  values(property: string): string[];
}

const AS = 'https://www.w3.org/ns/activitystreams#';

/** Parses a JSON-LD document with `activitystrea.ms`; throws if it cannot be read as ActivityStreams. */
export async function readActivityStreams(document: unknown): Promise<ReadObject> {
  const object = await as.import(document);
  if (!object?.id || !object.type) throw new Error('not an ActivityStreams object with an id and a type');
  const raw = (property: string): unknown[] => {
    const iri = property.includes(':') ? property : `${AS}${property}`;
    const found = object.get(iri);
    if (found === undefined || found === null) return [];
    // A single linked object comes as itself; several values as an iterator.
    if (typeof (found as { id?: unknown }).id === 'string') return [found];
    return typeof (found as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function' && typeof found !== 'string'
      ? [...(found as Iterable<unknown>)]
      : [found];
  };
  const text = (item: unknown): string => {
    // Linked objects by their id; natural-language values come as [language, text] pairs.
    if (Array.isArray(item)) return String(item[item.length - 1]);
    if (typeof item === 'object' && item !== null && typeof (item as { id?: unknown }).id === 'string') return (item as { id: string }).id;
    return String(item);
  };
  return {
    type: (Array.isArray(object.type) ? object.type[0] : object.type)!.replace(AS, ''),
    id: object.id,
    value: (property) => {
      const first = raw(property)[0];
      return first === undefined ? undefined : text(first);
    },
    values: (property) => raw(property).map(text),
  };
}
