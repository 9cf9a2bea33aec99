// The environment a service reads (its config.ts), named in this one place: the launcher's processes and the test kit's in-process apps get it from here.

export interface KafkaCredentials {
  mechanism: string
  username: string
  password: string
}

export interface ServiceSettings {
  /** Where it listens; none for an app its caller listens with itself (in-process tests). */
  port?: number
  /** The address it listens on, with the port. */
  host?: string
  databaseUrl: string
  kafkaBrokers: readonly string[]
  /** The principal it talks to Kafka as, where Kafka authenticates. */
  kafkaSasl?: KafkaCredentials | undefined
  registryUrl: string
  /** Topics and consumer groups of its own (a test's or a run's); none for the local stack. */
  topicPrefix?: string
  jwtSecret: string
  logLevel: string
  /** Settings of one service or one run (FULFILMENT_DELAY_MS, DATABASE_POOL_MAX); they win over the above. */
  extra?: Record<string, string>
}

/** Where a service listens unless told. */
export const DEFAULT_HOST = '127.0.0.1'

/** The variables a service's config reads, from its settings. */
export function serviceEnv(settings: ServiceSettings): Record<string, string> {
  const { kafkaSasl: sasl } = settings
  return {
    ...(settings.port === undefined ? {} : { PORT: String(settings.port), HOST: settings.host ?? DEFAULT_HOST }),
    DATABASE_URL: settings.databaseUrl,
    KAFKA_BROKERS: settings.kafkaBrokers.join(','),
    ...(sasl ? { KAFKA_SASL_MECHANISM: sasl.mechanism, KAFKA_SASL_USERNAME: sasl.username, KAFKA_SASL_PASSWORD: sasl.password } : {}),
    SCHEMA_REGISTRY_URL: settings.registryUrl,
    ...(settings.topicPrefix === undefined ? {} : { TOPIC_PREFIX: settings.topicPrefix }),
    JWT_SECRET: settings.jwtSecret,
    LOG_LEVEL: settings.logLevel,
    ...settings.extra,
  }
}
