// Reads topics as raw messages (bytes, key, headers) over chosen spans, in a throwaway group that commits nothing: for the inspection tools.
import { randomBytes } from 'node:crypto'
import { Partitioners, type IHeaders, type Kafka, type KafkaMessage } from 'kafkajs'
import type { OffsetsAdmin } from './offsets.ts'

/** A message as it is on the topic: bytes, not decoded. */
export interface RawMessage {
  topic: string
  partition: number
  offset: bigint
  /** Milliseconds since the epoch (the producer's create time). */
  timestamp: number
  key: Buffer | null
  value: Buffer | null
  headers: Record<string, string>
}

/** A stretch of one partition to read: `to` is exclusive; null reads on as messages arrive. */
export interface PartitionSpan {
  topic: string
  partition: number
  from: bigint
  to: bigint | null
}

/** Where reading starts on every partition of the topics. */
export type ReadFrom =
  | { kind: 'beginning' }
  | { kind: 'end' }
  | { kind: 'time'; at: number }
  /** The last `count` messages of each partition. */
  | { kind: 'last'; count: number }

/**
 * The spans that read `topics` from `from` up to the end each partition has now (a snapshot
 * that terminates), or on and on when `follow` is set.
 */
export async function spansOf(admin: OffsetsAdmin, topics: readonly string[], from: ReadFrom, follow: boolean): Promise<PartitionSpan[]> {
  const spans: PartitionSpan[] = []
  for (const topic of topics) {
    const ranges = await admin.ranges(topic)
    const atTime = from.kind === 'time' ? await admin.offsetsAt(topic, from.at) : undefined
    for (const { partition, low, high } of ranges) {
      const start = from.kind === 'beginning' ? low
        : from.kind === 'end' ? high
          : from.kind === 'last' ? (high - BigInt(from.count) > low ? high - BigInt(from.count) : low)
            : (atTime?.get(partition) ?? high)
      spans.push({ topic, partition, from: start, to: follow ? null : high })
    }
  }
  return spans
}

const keyed = Partitioners.DefaultPartitioner()

/** The partition our producers (kafkajs's default partitioner: murmur2 of the key) give `key` on a topic of `count` partitions. */
export function partitionOfKey(key: string, count: number): number {
  const partitionMetadata = Array.from({ length: count }, (_, partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }))
  return keyed({ topic: '', partitionMetadata, message: { key, value: null } })
}

/**
 * The spans that hold every message keyed by one of `keys`: on each topic only the partitions
 * those keys hash to, from the first message at or after `since` (ms since the epoch; null: the
 * partition's beginning) up to the end each has now. It holds while a topic keeps its partition
 * count, which a keyed topic must anyway (adding partitions moves keys and breaks their order).
 */
export async function spansOfKeys(admin: OffsetsAdmin, topics: readonly string[], keys: readonly string[], since: number | null): Promise<PartitionSpan[]> {
  const perTopic = await Promise.all(topics.map(async (topic) => {
    const [ranges, atTime] = await Promise.all([admin.ranges(topic), since === null ? undefined : admin.offsetsAt(topic, since)])
    const partitions = new Set(keys.map((key) => partitionOfKey(key, ranges.length)))
    return ranges.filter((r) => partitions.has(r.partition))
      .map(({ partition, low, high }): PartitionSpan => {
        const at = atTime?.get(partition) ?? low
        return { topic, partition, from: at > low ? at : low, to: high }
      })
  }))
  return perTopic.flat()
}

// How many messages may wait for the reader before fetching pauses.
const QUEUE_LIMIT = 500
// A fetch on a partition with nothing new waits this long for data; kafkajs' 5 s default would
// make every read of a quiet topic last 5 s, since a seek waits for the fetch in flight.
const FETCH_WAIT_MS = 100

export interface ReadOptions {
  /** Ends the reading. */
  signal?: AbortSignal | undefined
  /** Deletes the reading's group through this open admin (no second connection and login). */
  admin?: OffsetsAdmin | undefined
  /** Only the messages with one of these keys (a message without a key is not among them). */
  keys?: readonly string[] | undefined
}

/**
 * Reads the spans with a consumer group of its own that never commits, so no other group is
 * disturbed; the group is deleted when reading ends. Each partition's messages come in offset
 * order; partitions interleave. Ends when every bounded span is read, or when `signal` aborts.
 */
export async function* readSpans(kafka: Kafka, spans: readonly PartitionSpan[], options: ReadOptions = {}): AsyncGenerator<RawMessage> {
  const { signal, admin } = options
  const keys = options.keys ? new Set(options.keys) : null
  const wanted = new Map(spans.filter((s) => s.to === null || s.from < s.to).map((s) => [`${s.topic}:${s.partition}`, s]))
  if (wanted.size === 0) return
  const next = new Map([...wanted].map(([k, s]) => [k, s.from]))
  const open = new Set([...wanted].filter(([, s]) => s.to !== null).map(([k]) => k))
  const following = [...wanted.values()].some((s) => s.to === null)
  const topics = [...new Set([...wanted.values()].map((s) => s.topic))]

  const queue: RawMessage[] = []
  let failure: unknown = null
  let finished = false
  // Who waits: the reader for a message, or the fetch for the reader to catch up.
  const waiting: { reader: (() => void) | null; fetch: (() => void) | null } = { reader: null, fetch: null }
  const notify = (): void => { waiting.reader?.(); waiting.reader = null }
  const release = (): void => { waiting.fetch?.(); waiting.fetch = null }
  const finish = (): void => { finished = true; notify(); release() }
  signal?.addEventListener('abort', finish, { once: true })

  const group = `choreo-inspect-${randomBytes(6).toString('hex')}`
  const consumer = kafka.consumer({ groupId: group, allowAutoTopicCreation: false, maxWaitTimeInMs: FETCH_WAIT_MS })
  try {
    await consumer.connect()
    await consumer.subscribe({ topics, fromBeginning: true })
    // kafkajs restarts the consumer after a retriable crash; only a final one ends the reading.
    consumer.on(consumer.events.CRASH, ({ payload }) => { if (!payload.restart) { failure = payload.error; finish() } })
    await consumer.run({
      autoCommit: false,
      // A batch at a time, not a message: a page that looks for a few keys reads past many others.
      eachBatch: async ({ batch: { topic, partition, messages } }) => {
        const key = `${topic}:${partition}`
        const span = wanted.get(key)
        if (!span) return
        for (const message of messages) {
          const offset = BigInt(message.offset)
          if (finished || (span.to !== null && offset >= span.to)) return
          // Deliveries from before the seek took effect, or repeated by it, are skipped.
          if (offset < (next.get(key) ?? 0n)) continue
          next.set(key, offset + 1n)
          if (!keys || (message.key && keys.has(message.key.toString('utf8')))) {
            queue.push(rawOf(topic, partition, message))
            notify()
          }
          if (span.to !== null && offset + 1n >= span.to) {
            open.delete(key)
            if (open.size === 0 && !following) finish()
          }
          if (queue.length >= QUEUE_LIMIT && !finished) await new Promise<void>((resolve) => { waiting.fetch = resolve })
        }
      },
    })
    // Only the spans' partitions are fetched: a topic's others would be read from their beginning and thrown away.
    consumer.pause(topics.map((topic) => ({ topic })))
    consumer.resume(topics.map((topic) => ({ topic, partitions: [...wanted.values()].filter((s) => s.topic === topic).map((s) => s.partition) })))
    for (const s of wanted.values()) consumer.seek({ topic: s.topic, partition: s.partition, offset: String(s.from) })
    for (;;) {
      if (failure) throw failure
      const message = queue.shift()
      if (message) {
        if (queue.length < QUEUE_LIMIT / 2) release()
        yield message
        continue
      }
      if (finished) return
      await new Promise<void>((resolve) => { waiting.reader = resolve })
    }
  } finally {
    finish()
    signal?.removeEventListener('abort', finish)
    await consumer.disconnect().catch(() => {})
    await deleteGroup(kafka, group, admin).catch(() => {})
  }
}

/** Through the caller's open admin when it has one (no second connection and login), else a short-lived one. */
async function deleteGroup(kafka: Kafka, group: string, admin: OffsetsAdmin | undefined): Promise<void> {
  if (admin) return admin.deleteGroup(group)
  const own = kafka.admin()
  await own.connect().then(() => own.deleteGroups([group])).finally(() => own.disconnect())
}

function rawOf(topic: string, partition: number, message: KafkaMessage): RawMessage {
  return {
    topic, partition,
    offset: BigInt(message.offset),
    timestamp: Number(message.timestamp),
    key: message.key ?? null,
    value: message.value ?? null,
    headers: headersOf(message.headers),
  }
}

function headersOf(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue
    const first = Array.isArray(value) ? value[0] : value
    if (first !== undefined) out[name] = first.toString()
  }
  return out
}
