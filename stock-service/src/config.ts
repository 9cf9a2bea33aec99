// stock-service's configuration: the platform's variables and its own, read once from the environment and validated.
import { Type } from 'typebox'
import { baseConfigSchema, loadConfig } from '@choreo/platform'

const configSchema = {
  ...baseConfigSchema,
  PORT: Type.Integer({ minimum: 1, maximum: 65535, default: 3002 }),
  DATABASE_URL: Type.String({ minLength: 1, default: 'postgres://postgres@127.0.0.1:5432/choreo_stock' }),
  // 0 ships a paid order in the transaction that sees it paid (tests, chaos and benchmarks time that);
  // the local demo waits a few seconds so a person can cancel or modify it first.
  FULFILMENT_DELAY_MS: Type.Integer({ minimum: 0, maximum: 86_400_000, default: 0, description: 'how long a paid order waits before it ships' }),
}

export type Config = ReturnType<typeof readConfig>

export function readConfig(env: NodeJS.ProcessEnv = process.env) {
  return loadConfig(configSchema, env)
}
