import { infra, type KafkaCredentials } from './infra.ts'

/** The key tests sign bearer tokens with; services under test are configured with it. */
export const TEST_JWT_SECRET = 'test-secret-for-bearer-tokens-0123456789'

/** The environment a service under test reads: its own database and topic prefix, the real stack. */
export function serviceEnv(databaseUrl: string, topicPrefix: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    KAFKA_BROKERS: infra().brokers.join(','),
    // As the operator: tests run services on topics of their own (a prefix), which no service's ACL names.
    ...saslEnv(infra().sasl),
    SCHEMA_REGISTRY_URL: infra().registryUrl,
    TOPIC_PREFIX: topicPrefix,
    DATABASE_POOL_MAX: '6',
    LOG_LEVEL: 'silent',
    JWT_SECRET: TEST_JWT_SECRET,
    ...extra,
  }
}

function saslEnv(sasl: KafkaCredentials | undefined): Record<string, string> {
  return sasl ? { KAFKA_SASL_MECHANISM: sasl.mechanism, KAFKA_SASL_USERNAME: sasl.username, KAFKA_SASL_PASSWORD: sasl.password } : {}
}
