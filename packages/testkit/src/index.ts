export { infra, type Infra } from './infra.ts'
export { createTestDatabase, uniqueName, type TestDatabase } from './database.ts'
export { testKafka, createTestTopics, readTopic, type ReadMessage } from './kafka.ts'
export { eventually } from './eventually.ts'
