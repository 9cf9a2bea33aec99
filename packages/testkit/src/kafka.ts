// Kafka for tests, pointed at the stack under test (infra()): clients, a topic prefix of a test's own, reading a topic back.
import { randomBytes } from 'node:crypto'
import { declaredTopics, kafkaGrants } from '@choreo/contracts'
import { ensureTopics } from '@choreo/messaging'
import { grantAcls } from '@choreo/messaging/operations'
import { readWholeTopic, testKafkaClient, type Kafka, type Producer, type ReadMessage } from '@choreo/messaging/testing'
import { infra, type KafkaCredentials } from './infra.ts'

export type { ReadMessage }

/** A Kafka client as the operator (every test's), or as one service's principal where the stack has them. */
export function testKafka(options: { principal?: string; clientId?: string } = {}): Kafka {
  return testKafkaClient({ brokers: infra().brokers, ...kafkaAuth(options.principal), ...(options.clientId ? { clientId: options.clientId } : {}) })
}

/** The `sasl` option of a kafkajs client: the operator's credentials, or a named principal's; none where Kafka needs none. */
export function kafkaAuth(principal?: string): { sasl?: KafkaCredentials } {
  const { sasl, principals } = infra()
  if (principal === undefined) return sasl ? { sasl } : {}
  const own = principals?.[principal]
  if (!own) throw new Error(`no Kafka credentials for ${principal} on this stack (KAFKA_CREDENTIALS)`)
  return { sasl: own }
}

/**
 * A connected producer that writes as `principal` (a service) on the topics of `prefix`, with the
 * services' ACLs granted for that prefix: a forged event it sends passes the broker, as one from a
 * compromised service would, so what refuses it is the consumer's own check. Where Kafka asks for
 * no credentials (a Testcontainers broker), a plain producer.
 */
export async function producerAs(principal: string, prefix: string): Promise<Producer> {
  if (infra().principals?.[principal]) await grantAcls(testKafka(), kafkaGrants(prefix))
  const producer = testKafka(infra().principals?.[principal] ? { principal, clientId: `as-${principal}` } : {}).producer()
  await producer.connect()
  return producer
}

/** A topic prefix of this test's own, with every declared topic created under it. */
export async function createTestTopics(label: string, groups?: readonly string[]): Promise<string> {
  const prefix = `t-${label.replace(/[^a-z0-9]/gi, '-').toLowerCase().slice(0, 30)}-${randomBytes(4).toString('hex')}.`
  await ensureTopics(testKafka(), declaredTopics(prefix, groups))
  return prefix
}

/** Every message on a topic right now, partition by partition in offset order. */
export async function readTopic(topic: string): Promise<ReadMessage[]> {
  return readWholeTopic(testKafka(), topic)
}
