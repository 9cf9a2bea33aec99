// How a commit in one process wakes the relay holding the outbox lease in another: a notice on the database's channel for that lease, sent after the commit.
import type { Knex } from 'knex'
import type { Dialect } from './dialects/index.ts'
import type { Logger } from './logger.ts'

/** The channel of one lease's relay: every instance of a service shares its lease name. */
export function outboxChannel(leaseName: string): string {
  return `outbox ${leaseName}`
}

/**
 * A wake-up for the lease holder in another process, to call after each commit that enqueued
 * rows. At most one notice is in flight; commits meanwhile send one more after it, not one each.
 * A notice that fails is dropped: the holder's poll finds the rows a little later.
 */
export function crossProcessWaker(db: Knex, dialect: Dialect, leaseName: string, logger: Logger): () => void {
  const wakeups = dialect.wakeups
  if (!wakeups) return () => {}
  const channel = outboxChannel(leaseName)
  let sending = false
  let again = false
  function send(): void {
    sending = true
    again = false
    wakeups!.notify(db, channel).catch((err: unknown) => logger.debug({ err }, 'could not notify the relay; its poll will find the rows'))
      .finally(() => {
        sending = false
        if (again) send()
      })
  }
  return () => {
    if (sending) again = true
    else send()
  }
}
