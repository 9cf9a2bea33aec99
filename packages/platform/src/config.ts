import { Type, type Static, type TObject, type TProperties } from 'typebox'
import { Value } from 'typebox/value'
import type { KafkaSasl } from '@choreo/messaging'

/** A configuration error names the variable and what is wrong with it. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ConfigError'
  }
}

/** The variables every service reads. */
export const baseConfigSchema = {
  HOST: Type.String({ default: '127.0.0.1' }),
  LOG_LEVEL: Type.Union([Type.Literal('fatal'), Type.Literal('error'), Type.Literal('warn'), Type.Literal('info'), Type.Literal('debug'), Type.Literal('trace'), Type.Literal('silent')], { default: 'info' }),
  KAFKA_BROKERS: Type.String({ minLength: 1, default: '127.0.0.1:9092', description: 'comma-separated host:port list' }),
  // Unset on the local stack (PLAINTEXT on loopback); infra/docker-compose.yml gives each service a SCRAM user.
  KAFKA_SASL_MECHANISM: Type.Optional(Type.Union([Type.Literal('scram-sha-512'), Type.Literal('scram-sha-256')], { description: 'scram-sha-512 when a username is set' })),
  KAFKA_SASL_USERNAME: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
  KAFKA_SASL_PASSWORD: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
  SCHEMA_REGISTRY_URL: Type.String({ format: 'uri', default: 'http://127.0.0.1:8081/apis/ccompat/v7' }),
  DATABASE_CLIENT: Type.Union([Type.Literal('pg'), Type.Literal('mssql')], { default: 'pg' }),
  DATABASE_URL: Type.String({ minLength: 1 }),
  DATABASE_POOL_MAX: Type.Integer({ minimum: 2, maximum: 100, default: 10 }),
  MIGRATE_ON_START: Type.Boolean({ default: true }),
  TOPIC_PREFIX: Type.String({ default: '', pattern: '^[a-zA-Z0-9._-]*$' }),
  JWT_SECRET: Type.String({ minLength: 32, description: 'HS256 key for bearer tokens; ./choreo up generates one' }),
  SHUTDOWN_TIMEOUT_MS: Type.Integer({ minimum: 100, default: 15000 }),
} satisfies TProperties

/**
 * Reads the environment once, applies defaults, converts types, and fails naming the first
 * variable that is missing or wrong.
 */
export function loadConfig<P extends TProperties>(properties: P, env: NodeJS.ProcessEnv = process.env): Static<TObject<P>> {
  const schema = Type.Object(properties)
  const raw: Record<string, unknown> = {}
  for (const key of Object.keys(properties)) if (env[key] !== undefined && env[key] !== '') raw[key] = env[key]
  const value = Value.Convert(schema, Value.Default(schema, raw))
  const [first] = Value.Errors(schema, value)
  if (first) {
    const name = first.instancePath.replace(/^\//, '') || String((first.params as { requiredProperties?: string[] }).requiredProperties?.[0] ?? '')
    throw new ConfigError(`environment variable ${name || '(unknown)'}: ${first.message}`)
  }
  return value as Static<TObject<P>>
}

export interface KafkaSaslConfig {
  KAFKA_SASL_MECHANISM?: KafkaSasl['mechanism']
  KAFKA_SASL_USERNAME?: string
  KAFKA_SASL_PASSWORD?: string
}

/** SASL credentials for Kafka: none, or a username and a password together (a half is a mistake worth failing on). */
export function kafkaSaslOf(config: KafkaSaslConfig): KafkaSasl | undefined {
  const { KAFKA_SASL_MECHANISM: mechanism, KAFKA_SASL_USERNAME: username, KAFKA_SASL_PASSWORD: password } = config
  if (username === undefined && password === undefined) {
    if (mechanism !== undefined) throw new ConfigError('environment variable KAFKA_SASL_MECHANISM: set without KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD')
    return undefined
  }
  if (username === undefined) throw new ConfigError('environment variable KAFKA_SASL_USERNAME: required when KAFKA_SASL_PASSWORD is set')
  if (password === undefined) throw new ConfigError('environment variable KAFKA_SASL_PASSWORD: required when KAFKA_SASL_USERNAME is set')
  return { mechanism: mechanism ?? 'scram-sha-512', username, password }
}

export function brokersOf(list: string): string[] {
  return list.split(',').map((b) => b.trim()).filter(Boolean)
}
