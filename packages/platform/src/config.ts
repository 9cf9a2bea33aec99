// Service configuration from the environment: the variables every service reads, validated once, and the Kafka and database settings from them.
import { Type, type Static, type TObject, type TProperties } from 'typebox'
import { Value } from 'typebox/value'
import type { KafkaSasl } from '@choreo/messaging'
import { defaultDbTimeouts, defaultKeepAlive, type DbTimeouts, type KeepAlive } from './db.ts'

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
  // Why each default: see defaultKeepAlive and defaultDbTimeouts in db.ts.
  DATABASE_KEEPALIVE_IDLE_MS: Type.Integer({ minimum: 1000, maximum: 7_200_000, default: defaultKeepAlive.idleMs, description: 'silence before the first TCP keepalive probe, client and server side' }),
  DATABASE_KEEPALIVE_INTERVAL_MS: Type.Integer({ minimum: 1000, maximum: 600_000, default: defaultKeepAlive.intervalMs, description: 'between unanswered probes, server side' }),
  DATABASE_KEEPALIVE_COUNT: Type.Integer({ minimum: 1, maximum: 100, default: defaultKeepAlive.count, description: 'unanswered probes before the server drops the session' }),
  DATABASE_STATEMENT_TIMEOUT_MS: Type.Integer({ minimum: 0, default: defaultDbTimeouts.statementMs, description: 'the server cancels a statement running longer; 0: never' }),
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: Type.Integer({ minimum: 0, default: defaultDbTimeouts.idleInTransactionMs, description: 'the server ends a session idle this long inside a transaction; 0: never' }),
  DATABASE_QUERY_TIMEOUT_MS: Type.Integer({ minimum: 1000, default: defaultDbTimeouts.queryMs, description: 'the client gives up on a query unanswered this long; above DATABASE_STATEMENT_TIMEOUT_MS' }),
  MIGRATE_ON_START: Type.Boolean({ default: true }),
  TOPIC_PREFIX: Type.String({ default: '', pattern: '^[a-zA-Z0-9._-]*$' }),
  CONSUMER_EVENTS_PER_TRANSACTION: Type.Integer({ minimum: 1, maximum: 500, default: 50, description: 'events of one fetched batch handled in one transaction; 1: one transaction each' }),
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

export interface DatabaseSessionConfig {
  DATABASE_KEEPALIVE_IDLE_MS: number
  DATABASE_KEEPALIVE_INTERVAL_MS: number
  DATABASE_KEEPALIVE_COUNT: number
  DATABASE_STATEMENT_TIMEOUT_MS: number
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: number
  DATABASE_QUERY_TIMEOUT_MS: number
}

/**
 * Keepalive and timeouts for the service's database connections. The client's query timeout must
 * outlast the server's statement timeout: a slow statement is then cancelled by the server, with a
 * clean error on a connection still usable, and the client's timer fires only when the server is
 * not answering at all.
 */
export function databaseSessionOf(config: DatabaseSessionConfig): { keepAlive: KeepAlive; timeouts: DbTimeouts } {
  const statementMs = config.DATABASE_STATEMENT_TIMEOUT_MS
  if (statementMs > 0 && config.DATABASE_QUERY_TIMEOUT_MS <= statementMs) {
    throw new ConfigError(`environment variable DATABASE_QUERY_TIMEOUT_MS: must be above DATABASE_STATEMENT_TIMEOUT_MS (${statementMs})`)
  }
  return {
    keepAlive: { idleMs: config.DATABASE_KEEPALIVE_IDLE_MS, intervalMs: config.DATABASE_KEEPALIVE_INTERVAL_MS, count: config.DATABASE_KEEPALIVE_COUNT },
    timeouts: { statementMs, idleInTransactionMs: config.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS, queryMs: config.DATABASE_QUERY_TIMEOUT_MS },
  }
}

export function brokersOf(list: string): string[] {
  return list.split(',').map((b) => b.trim()).filter(Boolean)
}
