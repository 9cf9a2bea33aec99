// The environment of a service under test: platform's serviceEnv (the launcher's too) with the stack under test's settings.
import { serviceEnv as environmentOf, type ServiceSettings } from '@choreo/platform'
import { infra } from './infra.ts'

/** The key tests sign bearer tokens with; services under test are configured with it. */
export const TEST_JWT_SECRET = 'test-secret-for-bearer-tokens-0123456789'

/**
 * The settings of a service under test: the real stack, as the operator (tests run services on topics of their own, a
 * prefix, which no service's ACL names), the test key, no log. Add port and extra for a process of its own.
 */
export function testServiceSettings(databaseUrl: string, topicPrefix: string): ServiceSettings {
  const stack = infra()
  return {
    databaseUrl, topicPrefix,
    kafkaBrokers: stack.brokers, kafkaSasl: stack.sasl, registryUrl: stack.registryUrl,
    jwtSecret: TEST_JWT_SECRET, logLevel: 'silent',
  }
}

/** The environment an in-process service under test reads: its own database and topic prefix, the real stack. */
export function serviceEnv(databaseUrl: string, topicPrefix: string, extra: Record<string, string> = {}): Record<string, string> {
  return environmentOf({ ...testServiceSettings(databaseUrl, topicPrefix), extra: { DATABASE_POOL_MAX: '6', ...extra } })
}
