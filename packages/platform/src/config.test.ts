import { describe, expect, it } from 'vitest'
import { baseConfigSchema, ConfigError, databaseSessionOf, kafkaSaslOf, loadConfig } from './config.ts'

const required = { DATABASE_URL: 'postgres://db', JWT_SECRET: 's'.repeat(32) }

describe('Kafka SASL settings', () => {
  it('are absent by default: the local stack speaks PLAINTEXT', () => {
    expect(kafkaSaslOf(loadConfig(baseConfigSchema, required))).toBeUndefined()
  })

  it('give SCRAM-SHA-512 credentials when a username and password are set', () => {
    const config = loadConfig(baseConfigSchema, { ...required, KAFKA_SASL_USERNAME: 'order-service', KAFKA_SASL_PASSWORD: 'pw' })
    expect(kafkaSaslOf(config)).toEqual({ mechanism: 'scram-sha-512', username: 'order-service', password: 'pw' })
  })

  it('take SCRAM-SHA-256 when asked', () => {
    const config = loadConfig(baseConfigSchema, { ...required, KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' })
    expect(kafkaSaslOf(config)?.mechanism).toBe('scram-sha-256')
  })

  it.each([
    ['a username without a password', { KAFKA_SASL_USERNAME: 'u' }, /KAFKA_SASL_PASSWORD/],
    ['a password without a username', { KAFKA_SASL_PASSWORD: 'p' }, /KAFKA_SASL_USERNAME/],
    ['a mechanism without credentials', { KAFKA_SASL_MECHANISM: 'scram-sha-512' }, /KAFKA_SASL_MECHANISM/],
  ])('fail on %s, naming the variable', (_what, env, message) => {
    expect(() => kafkaSaslOf(loadConfig(baseConfigSchema, { ...required, ...env }))).toThrow(ConfigError)
    expect(() => kafkaSaslOf(loadConfig(baseConfigSchema, { ...required, ...env }))).toThrow(message)
  })

  it('refuse a mechanism kafkajs would not speak, naming the variable', () => {
    expect(() => loadConfig(baseConfigSchema, { ...required, KAFKA_SASL_MECHANISM: 'plain' })).toThrow(/KAFKA_SASL_MECHANISM/)
  })
})

describe('database session settings', () => {
  it('default to keepalive and timeouts, the client waiting longer than the server', () => {
    const { keepAlive, timeouts } = databaseSessionOf(loadConfig(baseConfigSchema, required))
    expect(keepAlive).toEqual({ idleMs: 30_000, intervalMs: 10_000, count: 3 })
    expect(timeouts).toEqual({ statementMs: 30_000, idleInTransactionMs: 60_000, queryMs: 35_000 })
  })

  it('refuse a client query timeout that would fire before the server cancels the statement, naming the variable', () => {
    const config = loadConfig(baseConfigSchema, { ...required, DATABASE_STATEMENT_TIMEOUT_MS: '30000', DATABASE_QUERY_TIMEOUT_MS: '30000' })
    expect(() => databaseSessionOf(config)).toThrow(ConfigError)
    expect(() => databaseSessionOf(config)).toThrow(/DATABASE_QUERY_TIMEOUT_MS/)
  })

  it('refuse a keepalive idle below a second, naming the variable', () => {
    expect(() => loadConfig(baseConfigSchema, { ...required, DATABASE_KEEPALIVE_IDLE_MS: '500' })).toThrow(/DATABASE_KEEPALIVE_IDLE_MS/)
  })
})
