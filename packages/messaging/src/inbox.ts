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
  return {
    claim(trx: Knex.Transaction, entry: InboxEntry): Promise<boolean> {
      return dialect.claimInbox(trx, {
        consumer_group: group,
        event_id: entry.eventId,
        event_type: entry.eventType,
        topic: entry.topic,
        partition: entry.partition,
        offset: entry.offset,
      })
    },
  }
}

export type Inbox = ReturnType<typeof createInbox>
