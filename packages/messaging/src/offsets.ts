// Kafka offsets for the inspection tools: partitions' ranges, a group's state and committed offsets, and moving a stopped group's offsets.
import type { Admin, Kafka } from 'kafkajs'

/** The offsets a partition holds: `low` is its first message, `high` is one past its last. */
export interface PartitionRange {
  partition: number
  low: bigint
  high: bigint
}

export interface GroupMember {
  memberId: string
  clientId: string
  host: string
}

export interface GroupState {
  group: string
  /** Kafka's state: Empty (no member), Stable, PreparingRebalance, Dead (unknown group)… */
  state: string
  members: GroupMember[]
}

/** Where a consumer group is on each partition of a topic; a partition it never committed is absent. */
export type CommittedOffsets = Map<number, bigint>

/**
 * What the inspection tools ask Kafka about topics and consumer groups, and the one change they
 * make: moving a stopped group's offsets. One admin connection, opened on first use.
 */
export interface OffsetsAdmin {
  ranges(topic: string): Promise<PartitionRange[]>
  /** Per partition, the first offset whose timestamp is at or after `at` (the end when there is none). */
  offsetsAt(topic: string, at: number): Promise<Map<number, bigint>>
  describeGroup(group: string): Promise<GroupState>
  committed(group: string, topic: string): Promise<CommittedOffsets>
  /** Moves the group's offsets; Kafka refuses while the group has members. */
  setOffsets(group: string, topic: string, offsets: Map<number, bigint>): Promise<void>
  deleteGroup(group: string): Promise<void>
  close(): Promise<void>
}

export function createOffsetsAdmin(kafka: Kafka): OffsetsAdmin {
  let connected: Promise<Admin> | null = null
  function admin(): Promise<Admin> {
    connected ??= (async () => {
      const a = kafka.admin()
      await a.connect()
      return a
    })()
    return connected
  }

  return {
    async ranges(topic) {
      const offsets = await (await admin()).fetchTopicOffsets(topic)
      return offsets
        .map((o) => ({ partition: o.partition, low: BigInt(o.low), high: BigInt(o.high) }))
        .sort((a, b) => a.partition - b.partition)
    },

    async offsetsAt(topic, at) {
      const a = await admin()
      const [found, ends] = await Promise.all([a.fetchTopicOffsetsByTimestamp(topic, at), a.fetchTopicOffsets(topic)])
      const high = new Map(ends.map((e) => [e.partition, BigInt(e.high)]))
      // Kafka answers -1 for a partition with nothing at or after the time: start at its end.
      return new Map(found.map((f) => [f.partition, BigInt(f.offset) < 0n ? (high.get(f.partition) ?? 0n) : BigInt(f.offset)]))
    },

    async describeGroup(group) {
      const { groups } = await (await admin()).describeGroups([group])
      const found = groups[0]
      return {
        group,
        state: found?.state ?? 'Dead',
        members: (found?.members ?? []).map((m) => ({ memberId: m.memberId, clientId: m.clientId, host: m.clientHost })),
      }
    },

    async committed(group, topic) {
      const [entry] = await (await admin()).fetchOffsets({ groupId: group, topics: [topic] })
      const out: CommittedOffsets = new Map()
      for (const p of entry?.partitions ?? []) if (BigInt(p.offset) >= 0n) out.set(p.partition, BigInt(p.offset))
      return out
    },

    async setOffsets(group, topic, offsets) {
      await (await admin()).setOffsets({
        groupId: group, topic, partitions: [...offsets].map(([partition, offset]) => ({ partition, offset: String(offset) })),
      })
    },

    async deleteGroup(group) {
      await (await admin()).deleteGroups([group])
    },

    async close() {
      if (connected) await (await connected).disconnect()
      connected = null
    },
  }
}

/** Which of these topics the broker does not have: asking for the offsets of one makes kafkajs retry for long. */
export async function missingTopics(kafka: Kafka, topics: readonly string[]): Promise<string[]> {
  const admin = kafka.admin()
  await admin.connect()
  try {
    const existing = new Set(await admin.listTopics())
    return topics.filter((t) => !existing.has(t))
  } finally {
    await admin.disconnect()
  }
}
