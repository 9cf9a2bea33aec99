// How many messages topics hold, from their watermarks: how the relay benchmarks tell that every event arrived without consuming one.
import type { createKafka } from '@choreo/messaging'

export type BenchKafka = ReturnType<typeof createKafka>
export type BenchAdmin = ReturnType<BenchKafka['admin']>

/** How many messages these topics hold: the sum over partitions of high minus low watermark. */
export async function messagesOn(admin: BenchAdmin, topics: readonly string[]): Promise<number> {
  let total = 0
  for (const topic of topics) {
    for (const p of await admin.fetchTopicOffsets(topic)) total += Number(p.high) - Number(p.low)
  }
  return total
}

/** Polls until the topics hold `count` messages; returns when they did (ms since the epoch). */
export async function untilMessagesOn(admin: BenchAdmin, topics: readonly string[], count: number, opts: { timeoutMs: number; intervalMs: number }): Promise<number> {
  const deadline = Date.now() + opts.timeoutMs
  for (;;) {
    const seen = await messagesOn(admin, topics)
    if (seen >= count) return Date.now()
    if (Date.now() > deadline) throw new Error(`${seen} of ${count} messages arrived on ${topics.join(', ')} within ${opts.timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, opts.intervalMs))
  }
}

/** Polls until every consumer group named with `prefix` has committed the end of each of these topics it reads. */
export async function untilGroupsCaughtUp(admin: BenchAdmin, prefix: string, topics: readonly string[], opts: { timeoutMs: number; intervalMs: number }): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs
  for (;;) {
    const groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(prefix))
    const ends = new Map((await Promise.all(topics.map(async (topic) => (await admin.fetchTopicOffsets(topic)).map((p) => [`${topic}:${p.partition}`, BigInt(p.high)] as const)))).flat())
    let behind = 0n
    for (const groupId of groups) {
      for (const { topic, partitions } of await admin.fetchOffsets({ groupId, topics: [...topics] })) {
        for (const p of partitions) {
          // -1: the group does not read this topic.
          if (BigInt(p.offset) >= 0n) behind += (ends.get(`${topic}:${p.partition}`) ?? 0n) - BigInt(p.offset)
        }
      }
    }
    if (groups.length > 0 && behind === 0n) return
    if (Date.now() > deadline) throw new Error(`the groups of ${prefix} are still ${behind} messages behind after ${opts.timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, opts.intervalMs))
  }
}
