import type { Kafka } from 'kafkajs'
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

/** Produces the messages, acknowledged by every in-sync replica, in the order given. */
export async function republish(kafka: Kafka, messages: readonly Republished[]): Promise<void> {
  if (messages.length === 0) return
  const producer = createProducer(kafka)
  await producer.connect()
  try {
    for (const m of messages) {
      await producer.send({ topic: m.topic, acks: -1, messages: [{ partition: m.partition, key: m.key, value: m.value, headers: m.headers }] })
    }
  } finally {
    await producer.disconnect()
  }
}
