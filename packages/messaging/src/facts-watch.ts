// Whether a facts consumer has caught up: an unconfirmed event is refused only once its group has read to where its topics ended.
import type { Kafka } from 'kafkajs'
import { createOffsetsAdmin } from './offsets.ts'

/** Where each partition of each facts topic ended at one moment: topic → partition → end offset. */
export type FactsEnds = Map<string, Map<number, bigint>>

/**
 * Whether a facts consumer has read its topics up to where they ended at one moment. A service
 * that checks an event against facts from another topic (payment: a StockReserved against the
 * OrderPlaced it recorded) may refuse the event for a missing fact only once this is true for
 * ends read after the event arrived: an OrderPlaced is on `order.events` before stock-service can
 * react to it, so it lies below those ends, and a group whose committed offsets reach them has
 * recorded it (offsets are committed after the facts' transactions, so the answer errs on "not
 * yet", never on "yes").
 *
 * The ends are read once per event (`ends`) and then compared again and again (`reached`): ends
 * read anew at each look would move on with every order placed meanwhile, and under steady load
 * the facts consumer might never be seen at them.
 *
 * Asked only for an event that its handler could not confirm: rare, so one admin connection per
 * question, which never holds a connection that a broker fault could leave stale.
 */
export interface FactsWatch {
  ends(): Promise<FactsEnds>
  reached(ends: FactsEnds): Promise<boolean>
}

export function createFactsWatch(kafka: Kafka, group: string, topics: readonly string[]): FactsWatch {
  async function withAdmin<T>(work: (admin: ReturnType<typeof createOffsetsAdmin>) => Promise<T>): Promise<T> {
    const admin = createOffsetsAdmin(kafka)
    try {
      return await work(admin)
    } finally {
      await admin.close()
    }
  }
  return {
    ends: () => withAdmin(async (admin) => {
      const ends: FactsEnds = new Map()
      for (const topic of topics) {
        // A partition that holds nothing (never written, or emptied by retention) asks for nothing.
        ends.set(topic, new Map((await admin.ranges(topic)).filter((r) => r.high > r.low).map((r) => [r.partition, r.high])))
      }
      return ends
    }),
    reached: (ends) => withAdmin(async (admin) => {
      for (const [topic, partitions] of ends) {
        const committed = await admin.committed(group, topic)
        for (const [partition, end] of partitions) if ((committed.get(partition) ?? -1n) < end) return false
      }
      return true
    }),
  }
}
