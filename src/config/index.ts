export type { BlobConfig, Config, DatabaseConfig } from './config.ts';
export { ConfigError } from './config.ts';
export { readEnv, type RawEnv } from './env.ts';
export { loadConfig, KNOWN_VARIABLES } from './load-config.ts';
export { describeConfig, maskUrl } from './describe-config.ts';
