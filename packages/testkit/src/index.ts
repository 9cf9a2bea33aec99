// `@choreo/testkit`: what tests share: the stack under test, scratch databases and topics, tokens, forged events and the service harness.
export { infra, type Infra, type KafkaCredentials } from './infra.ts'
export { createTestDatabase, uniqueName, type TestDatabase } from './database.ts'
export { testKafka, kafkaAuth, producerAs, createTestTopics, readTopic, type ReadMessage } from './kafka.ts'
export { eventually } from './eventually.ts'
export { serviceEnv, testServiceSettings, TEST_JWT_SECRET } from './service-env.ts'
export { startTcpProxy, type TcpProxy } from './tcp-proxy.ts'
export { bearer, bearerAs } from './tokens.ts'
export { eventEnvelope } from './event-envelope.ts'
export { hostileSender, UNKNOWN_SCHEMA_MESSAGE, type ForgedMessage, type HostileSender } from './hostile-events.ts'
export { startedForTests } from './started.ts'
export {
  createMigratedDatabase, startServiceApp, useMigratedDatabase, useServiceApp,
  type AppHarness, type AppOptions, type TestableApp, type TestedService,
} from './service-harness.ts'
