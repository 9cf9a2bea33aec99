import { infra } from './infra.ts'

/** The key tests sign bearer tokens with; services under test are configured with it. */
export const TEST_JWT_SECRET = 'test-secret-for-bearer-tokens-0123456789'

/** The environment a service under test reads: its own database and topic prefix, the real stack. */
export function serviceEnv(databaseUrl: string, topicPrefix: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    KAFKA_BROKERS: infra().brokers.join(','),
    SCHEMA_REGISTRY_URL: infra().registryUrl,
    TOPIC_PREFIX: topicPrefix,
    DATABASE_POOL_MAX: '6',
    LOG_LEVEL: 'silent',
    JWT_SECRET: TEST_JWT_SECRET,
    ...extra,
  }
}
