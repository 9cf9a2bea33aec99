// What the runner asks Kafka: an offsets admin that reconnects across broker restarts, every message on topics, a group's committed offsets and lag.
import { createOffsetsAdmin, readSpans, spansOf, type OffsetsAdmin, type RawMessage } from '@choreo/messaging/operations'
import type { Kafka } from '../lib/clients.ts'

/**
 * An OffsetsAdmin that opens a fresh admin connection after any failure: the runner keeps
 * asking Kafka across broker restarts, and a connection from before one is not to be trusted.
 */
export function reconnectingOffsetsAdmin(kafka: Kafka): OffsetsAdmin {
  let current = createOffsetsAdmin(kafka)
  const retiring = async <T>(call: (admin: OffsetsAdmin) => Promise<T>): Promise<T> => {
    const admin = current
    try {
      return await call(admin)
    } catch (err) {
      if (current === admin) {
        current = createOffsetsAdmin(kafka)
        await admin.close().catch(() => {})
      }
      throw err
    }
  }
  return {
    ranges: (topic) => retiring((a) => a.ranges(topic)),
    offsetsAt: (topic, at) => retiring((a) => a.offsetsAt(topic, at)),
    describeGroup: (group) => retiring((a) => a.describeGroup(group)),
    committed: (group, topic) => retiring((a) => a.committed(group, topic)),
    setOffsets: (group, topic, offsets) => retiring((a) => a.setOffsets(group, topic, offsets)),
    deleteGroup: (group) => retiring((a) => a.deleteGroup(group)),
    close: () => current.close(),
  }
}

/** Every message on these topics right now, each partition in offset order. */
export async function readTopics(kafka: Kafka, offsets: OffsetsAdmin, topics: readonly string[]): Promise<RawMessage[]> {
  const out: RawMessage[] = []
  for await (const message of readSpans(kafka, await spansOf(offsets, topics, { kind: 'beginning' }, false))) out.push(message)
  return out
}

/** A group's committed offsets on these topics, per `topic:partition` (absent: never committed). */
export async function committedOffsets(offsets: OffsetsAdmin, group: string, topics: readonly string[]): Promise<Map<string, bigint>> {
  const out = new Map<string, bigint>()
  for (const topic of topics) for (const [partition, offset] of await offsets.committed(group, topic)) out.set(`${topic}:${partition}`, offset)
  return out
}

/** Messages on these topics the group has not committed past: 0 once it has caught up. */
export async function consumerLag(offsets: OffsetsAdmin, group: string, topics: readonly string[]): Promise<number> {
  const committed = await committedOffsets(offsets, group, topics)
  let lag = 0n
  for (const topic of topics) {
    for (const { partition, low, high } of await offsets.ranges(topic)) {
      const from = committed.get(`${topic}:${partition}`) ?? low
      if (high > from) lag += high - from
    }
  }
  return Number(lag)
}
