import type { Kafka } from 'kafkajs'
import { createOffsetsAdmin } from './offsets.ts'

/**
 * Whether a facts consumer has read its topics up to where they end now. A service that checks
 * an event against facts from another topic (payment: a StockReserved against the OrderPlaced it
 * recorded) may refuse the event for a missing fact only when this is true: an OrderPlaced is on
 * `order.events` before stock-service can react to it, so it lies below the end read here, and a
 * group whose committed offsets reach that end has recorded it (offsets are committed after the
 * facts' transactions).
 *
 * Offsets are committed after each batch, so the answer errs on "not yet", never on "yes".
 * Asked only for an event that its handler could not confirm: rare, so one admin connection per
 * question, which never holds a connection that a broker fault could leave stale.
 */
export interface FactsWatch {
  caughtUp(): Promise<boolean>
}

export function createFactsWatch(kafka: Kafka, group: string, topics: readonly string[]): FactsWatch {
  return {
    async caughtUp() {
      const admin = createOffsetsAdmin(kafka)
      try {
        for (const topic of topics) {
          // The ends first: a commit that happens after them only makes the answer truer.
          const ranges = await admin.ranges(topic)
          const committed = await admin.committed(group, topic)
          for (const { partition, low, high } of ranges) {
            if (high > low && (committed.get(partition) ?? -1n) < high) return false
          }
        }
        return true
      } finally {
        await admin.close()
      }
    },
  }
}
