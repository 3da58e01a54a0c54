import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/** Stoa's own version, from package.json. */
export const STOA_VERSION: string = pkg.version;

/** The Mastodon API version whose behaviour Stoa follows; clients gate features on it. */
export const MASTODON_API_VERSION = '4.3.0';

/** The version string clients see: Mastodon's, so their version checks pass, then Stoa's own. */
export const COMPATIBLE_VERSION = `${MASTODON_API_VERSION} (compatible; Stoa ${STOA_VERSION})`;
