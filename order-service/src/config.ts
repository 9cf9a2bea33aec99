// order-service's configuration: the platform's variables and its own, read once from the environment and validated.
import { Type } from 'typebox'
import { baseConfigSchema, loadConfig } from '@choreo/platform'

const configSchema = {
  ...baseConfigSchema,
  PORT: Type.Integer({ minimum: 1, maximum: 65535, default: 3001 }),
  DATABASE_URL: Type.String({ minLength: 1, default: 'postgres://postgres@127.0.0.1:5432/choreo_order' }),
  ORDER_RATE_LIMIT_PER_MINUTE: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 120, description: 'orders one caller (token subject) may place per minute, per instance' }),
}

export type Config = ReturnType<typeof readConfig>

export function readConfig(env: NodeJS.ProcessEnv = process.env) {
  return loadConfig(configSchema, env)
}
