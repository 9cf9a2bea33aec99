// The inbox: one row per (consumer group, event id), claimed in the reaction's transaction so a redelivery is a no-op; purged by age.
import type { Knex } from 'knex'
import type { Dialect } from './dialects/index.ts'

export interface InboxEntry {
  eventId: string
  eventType: string
  topic: string
  partition: number
  offset: string
}

/**
 * The idempotency table of one consumer group. `claim` runs in the transaction of the
 * reaction: if the event is already recorded it returns false and the caller skips the
 * reaction; a rollback un-claims it, so a failed reaction is tried again on redelivery.
 */
export function createInbox(dialect: Dialect, group: string) {
  const rowOf = (entry: InboxEntry) => ({
    consumer_group: group,
    event_id: entry.eventId,
    event_type: entry.eventType,
    topic: entry.topic,
    partition: entry.partition,
    offset: entry.offset,
  })
  return {
    claim(trx: Knex.Transaction, entry: InboxEntry): Promise<boolean> {
      return dialect.claimInbox(trx, rowOf(entry))
    },

    /** `claim` for several distinct events in one statement: the ids recorded now (the others were handled before). */
    claimAll(trx: Knex.Transaction, entries: readonly InboxEntry[]): Promise<Set<string>> {
      return dialect.claimInboxes(trx, entries.map(rowOf))
    },

    /**
     * Deletes this group's rows handled before `cutoff`, `batchSize` a statement, at most
     * `batchesPerPass` statements; returns how many went. Each DELETE is short and holds few locks.
     */
    async purge(db: Knex, cutoff: Date, limits: { batchSize: number; batchesPerPass: number }, stopped: () => boolean): Promise<number> {
      let total = 0
      for (let batch = 0; batch < limits.batchesPerPass && !stopped(); batch++) {
        const due = db('inbox').select('event_id').where('consumer_group', group).where('handled_at', '<', cutoff).limit(limits.batchSize)
        const deleted = await db('inbox').where('consumer_group', group).whereIn('event_id', due).delete()
        total += deleted
        if (deleted < limits.batchSize) break
      }
      return total
    },
  }
}

export type Inbox = ReturnType<typeof createInbox>
