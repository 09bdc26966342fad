export { type Config, ConfigError, loadConfig } from './config/config.ts';
export { LatchkeyError } from './errors.ts';
export { createGateway, type Gateway, openRuntime, type Runtime } from './gateway.ts';
