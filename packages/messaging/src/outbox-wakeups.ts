// How a commit in one process wakes the relay holding the outbox lease in another: a notice on the database's channel for that lease, sent after the commit.
import type { Knex } from 'knex'
import type { Dialect, HeldConnection } from './dialects/index.ts'
import type { Logger } from './logger.ts'

/** The channel of one lease's relay: every instance of a service shares its lease name. */
export function outboxChannel(leaseName: string): string {
  return `outbox ${leaseName}`
}

/**
 * A wake-up for the lease holder in another process, to call after each commit that enqueued
 * rows. At most one notice is in flight; commits meanwhile send one more after it, not one each.
 * Notices go over a connection of their own, opened on first use: behind the writers in the pool
 * they would wait for a free connection. A notice that fails is dropped (the connection with it):
 * the holder's poll finds the rows a little later.
 */
export interface CrossProcessWaker {
  wake(): void
  /** Closes its connection, once the notice in flight is sent. */
  close(): Promise<void>
}

export function crossProcessWaker(db: Knex, dialect: Dialect, leaseName: string, logger: Logger): CrossProcessWaker {
  const wakeups = dialect.wakeups
  if (!wakeups) return { wake: () => {}, close: async () => {} }
  const channel = outboxChannel(leaseName)
  let conn: HeldConnection | null = null
  let sending: Promise<void> | null = null
  let again = false
  let closed = false
  async function notify(): Promise<void> {
    conn ??= await db.client.acquireRawConnection() as HeldConnection
    try {
      await wakeups!.notify(db, channel, conn)
    } catch (err) {
      dialect.destroyConnection(conn)
      conn = null
      throw err
    }
  }
  function send(): void {
    again = false
    sending = notify().catch((err: unknown) => logger.debug({ err }, 'could not notify the relay; its poll will find the rows'))
      .finally(() => {
        sending = null
        if (again && !closed) send()
      })
  }
  return {
    wake() {
      if (closed) return
      if (sending) again = true
      else send()
    },
    async close() {
      closed = true
      await sending
      if (conn) await db.client.destroyRawConnection(conn)
      conn = null
    },
  }
}
