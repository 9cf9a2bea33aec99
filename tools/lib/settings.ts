// The tools' settings: the services' Kafka, registry and topic-prefix variables plus one database URL per service, read once from the environment.
import { Type } from 'typebox'
import type { KafkaSasl } from '@choreo/messaging'
import { baseConfigSchema, brokersOf, kafkaSaslOf, loadConfig } from '@choreo/platform'
import type { ServiceName } from './services.ts'

// The inspection commands read the same variables as the services (./choreo passes the local
// stack's), plus one database URL per service; the defaults are the local stack's.
const settingsSchema = {
  KAFKA_BROKERS: baseConfigSchema.KAFKA_BROKERS,
  KAFKA_SASL_MECHANISM: baseConfigSchema.KAFKA_SASL_MECHANISM,
  KAFKA_SASL_USERNAME: baseConfigSchema.KAFKA_SASL_USERNAME,
  KAFKA_SASL_PASSWORD: baseConfigSchema.KAFKA_SASL_PASSWORD,
  SCHEMA_REGISTRY_URL: baseConfigSchema.SCHEMA_REGISTRY_URL,
  TOPIC_PREFIX: baseConfigSchema.TOPIC_PREFIX,
  ORDER_DATABASE_URL: Type.String({ minLength: 1, default: 'postgres://postgres@127.0.0.1:5432/choreo_order' }),
  STOCK_DATABASE_URL: Type.String({ minLength: 1, default: 'postgres://postgres@127.0.0.1:5432/choreo_stock' }),
  PAYMENT_DATABASE_URL: Type.String({ minLength: 1, default: 'postgres://postgres@127.0.0.1:5432/choreo_payment' }),
}

export interface Settings {
  brokers: string[]
  sasl: KafkaSasl | undefined
  registryUrl: string
  /** Prefix of every topic and consumer group name (contracts' `prefixed`); '' on the local stack. */
  prefix: string
  databaseUrls: Record<ServiceName, string>
}

/** Reads the environment once; `prefix` (a command's --prefix) wins over TOPIC_PREFIX. */
export function readSettings(overrides: { prefix?: string | undefined } = {}, env: NodeJS.ProcessEnv = process.env): Settings {
  const config = loadConfig(settingsSchema, { ...env, ...(overrides.prefix === undefined ? {} : { TOPIC_PREFIX: overrides.prefix }) })
  return {
    brokers: brokersOf(config.KAFKA_BROKERS),
    sasl: kafkaSaslOf(config),
    registryUrl: config.SCHEMA_REGISTRY_URL,
    prefix: overrides.prefix ?? config.TOPIC_PREFIX,
    databaseUrls: {
      'order-service': config.ORDER_DATABASE_URL,
      'stock-service': config.STOCK_DATABASE_URL,
      'payment-service': config.PAYMENT_DATABASE_URL,
    },
  }
}
