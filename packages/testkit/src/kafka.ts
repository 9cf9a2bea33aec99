import { randomBytes } from 'node:crypto'
import { Kafka, logLevel, type IHeaders, type Producer } from 'kafkajs'
import { declaredTopics, kafkaGrants } from '@choreo/contracts'
import { ensureTopics, grantAcls } from '@choreo/messaging'
import { infra, type KafkaCredentials } from './infra.ts'

/** A Kafka client as the operator (every test's), or as one service's principal where the stack has them. */
export function testKafka(options: { principal?: string; clientId?: string } = {}): Kafka {
  return new Kafka({ clientId: options.clientId ?? 'test', brokers: infra().brokers, ...kafkaAuth(options.principal), logLevel: logLevel.NOTHING })
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

export interface ReadMessage {
  topic: string
  partition: number
  offset: string
  key: string | null
  value: Buffer | null
  headers: Record<string, string>
  /** When the producer sent it (CreateTime), in epoch milliseconds. */
  timestamp: number
}

/** Every message on a topic right now, partition by partition in offset order. */
export async function readTopic(topic: string): Promise<ReadMessage[]> {
  const kafka = testKafka()
  const admin = kafka.admin()
  await admin.connect()
  const ends = await admin.fetchTopicOffsets(topic)
  await admin.disconnect()
  const remaining = new Map(ends.filter((e) => Number(e.high) > Number(e.low)).map((e) => [e.partition, BigInt(e.high)]))
  const out: ReadMessage[] = []
  if (remaining.size === 0) return out
  const consumer = kafka.consumer({ groupId: `reader-${randomBytes(6).toString('hex')}` })
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`reading ${topic} timed out`)), 30_000)
    void consumer.run({
      eachMessage: async ({ partition, message }) => {
        out.push({
          topic, partition, offset: message.offset,
          key: message.key?.toString() ?? null, value: message.value, timestamp: Number(message.timestamp),
          headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])) as IHeaders as Record<string, string>,
        })
        if (BigInt(message.offset) + 1n >= (remaining.get(partition) ?? 0n)) remaining.delete(partition)
        if (remaining.size === 0) { clearTimeout(timer); resolve() }
      },
    }).catch(reject)
  })
  await consumer.disconnect()
  return out.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)))
}
