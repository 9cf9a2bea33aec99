// What the topics and groups page reads: each consumer group's lag per partition, and a topic's messages decoded, through messaging's operations tooling.
import { eventTopics, factsGroupOf, prefixed } from '@choreo/contracts'
import { topicsOf } from '@choreo/messaging'
import { readSpans, spansOf, type ReadFrom } from '@choreo/messaging/operations'
import type { Clients } from '@choreo/tools/lib/clients.ts'
import { deadLetterTopics } from '@choreo/tools/lib/dead-letters.ts'
import { decodeRecord, type EventRecord } from '@choreo/tools/lib/event-record.ts'
import { factsOf, sagas, services } from '@choreo/tools/lib/services.ts'

export interface PartitionLag {
  group: string
  topic: string
  partition: number
  /** The group's next offset; null where it never committed. */
  committed: bigint | null
  high: bigint
  lag: bigint
}

/** Every service's consumer groups (the saga's, and the facts group where it has one) on each topic they read. */
export async function groupLags(clients: Clients): Promise<PartitionLag[]> {
  const { prefix } = clients.settings
  const groups = services.flatMap((service) => [
    { group: prefixed(prefix, service), topics: topicsOf(sagas[service], prefix) },
    ...(factsOf[service] ? [{ group: prefixed(prefix, factsGroupOf(service)), topics: topicsOf(factsOf[service], prefix) }] : []),
  ])
  const lags: PartitionLag[] = []
  for (const { group, topics } of groups) {
    for (const topic of topics) {
      const [ranges, committed] = await Promise.all([clients.offsets.ranges(topic), clients.offsets.committed(group, topic)])
      for (const { partition, low, high } of ranges) {
        const at = committed.get(partition) ?? null
        lags.push({ group, topic, partition, committed: at, high, lag: high - (at ?? low) })
      }
    }
  }
  return lags
}

/** The topics the page may read: the three event topics and the three dead-letter topics, under the prefix. */
export function readableTopics(prefix: string): string[] {
  return [...Object.values(eventTopics).map((t) => prefixed(prefix, t)), ...deadLetterTopics(prefix)]
}

export interface MessageQuery {
  topic: string
  partition?: number | undefined
  /** From this offset on (with a partition); otherwise the newest `last` of each partition. */
  from?: bigint | undefined
  /** From the first message at or after this time (ms since the epoch) in each partition, `last` at most. */
  since?: number | undefined
  last: number
  key?: string | undefined
  type?: string | undefined
}

/** The messages the query names, decoded through the registry, newest last; filtered by key and event type after reading. */
export async function readMessages(clients: Clients, q: MessageQuery): Promise<EventRecord[]> {
  const max = (a: bigint, b: bigint) => (a > b ? a : b)
  const min = (a: bigint, b: bigint) => (a < b ? a : b)
  const start: ReadFrom = q.from !== undefined ? { kind: 'beginning' } : q.since !== undefined ? { kind: 'time', at: q.since } : { kind: 'last', count: q.last }
  const spans = (await spansOf(clients.offsets, [q.topic], start, false))
    .filter((s) => q.partition === undefined || s.partition === q.partition)
    .map((s) => {
      if (s.to === null || (q.from === undefined && q.since === undefined)) return s
      const from = q.from === undefined ? s.from : max(s.from, q.from)
      return { ...s, from, to: min(s.to, from + BigInt(q.last)) }
    })
  const records: EventRecord[] = []
  for await (const message of readSpans(clients.kafka, spans)) {
    if (q.key !== undefined && message.key?.toString('utf8') !== q.key) continue
    if (q.type !== undefined && message.headers['event-type'] !== q.type) continue
    records.push(await decodeRecord(clients.codec, message))
  }
  return records.sort((a, b) => (a.timestamp ?? '').localeCompare(b.timestamp ?? '') || (a.offset ?? 0) - (b.offset ?? 0))
}
