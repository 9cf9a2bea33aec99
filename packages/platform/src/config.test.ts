import { describe, expect, it } from 'vitest'
import { baseConfigSchema, ConfigError, kafkaSaslOf, loadConfig } from './config.ts'

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
