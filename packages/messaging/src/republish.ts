// Puts messages back on their topics exactly as they were (bytes, key, headers, partition), acknowledged: for redrives and the chaos duplicator.
import type { Kafka, Message } from 'kafkajs'
import { sendAcknowledged } from './acknowledged.ts'
import { createProducer } from './kafka.ts'

/** A message to put back on a topic exactly as it was: the same bytes, key and headers. */
export interface Republished {
  topic: string
  /** The partition it came from, so its key's order is kept even if it was not produced by our partitioner. */
  partition: number
  key: Buffer | null
  value: Buffer | null
  headers: Record<string, string>
}

/**
 * Produces the messages in one batch, acknowledged by every in-sync replica on every partition sent
 * to; each partition gets its messages in the order given (an idempotent producer, one request in flight).
 */
export async function republish(kafka: Kafka, messages: readonly Republished[]): Promise<void> {
  if (messages.length === 0) return
  const byTopic = new Map<string, Message[]>()
  for (const m of messages) {
    const list = byTopic.get(m.topic) ?? []
    list.push({ partition: m.partition, key: m.key, value: m.value, headers: m.headers })
    byTopic.set(m.topic, list)
  }
  const producer = createProducer(kafka)
  await producer.connect()
  try {
    await sendAcknowledged(producer, [...byTopic].map(([topic, list]) => ({ topic, messages: list })))
  } finally {
    await producer.disconnect()
  }
}
