// `@choreo/messaging/testing`: kafkajs clients for tests, given where Kafka is (@choreo/testkit points them at the stack under test).
import { randomBytes } from 'node:crypto'
import { Kafka, logLevel, type Producer } from 'kafkajs'
import type { KafkaSasl } from './kafka.ts'

export type { Kafka, Producer }

/** Where a test's client connects, and as whom. */
export interface TestClientOptions {
  brokers: string[]
  sasl?: KafkaSasl
  clientId?: string
}

/** A Kafka client that logs nothing: a test checks what reached the topics, not the client's log. */
export function testKafkaClient(options: TestClientOptions): Kafka {
  return new Kafka({ clientId: options.clientId ?? 'test', brokers: options.brokers, ...(options.sasl ? { sasl: options.sasl } : {}), logLevel: logLevel.NOTHING })
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
export async function readWholeTopic(kafka: Kafka, topic: string): Promise<ReadMessage[]> {
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
          headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
        })
        if (BigInt(message.offset) + 1n >= (remaining.get(partition) ?? 0n)) remaining.delete(partition)
        if (remaining.size === 0) { clearTimeout(timer); resolve() }
      },
    }).catch(reject)
  })
  await consumer.disconnect()
  return out.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)))
}
