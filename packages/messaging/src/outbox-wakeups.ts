// How a commit in one process wakes the relay holding the outbox lease in another: a notice on the database's channel for that lease, sent after the commit.
import type { Knex } from 'knex'
import type { Dialect, HeldConnection } from './dialects/index.ts'
import type { Logger } from './logger.ts'

/** The channel of one lease's relay: every instance of a service shares its lease name. */
export function outboxChannel(leaseName: string): string {
  return `outbox ${leaseName}`
}

/** A notice answers in a millisecond or two; one that takes this long is on a connection gone silent. */
const NOTICE_TIMEOUT_MS = 2000

export interface CrossProcessWaker {
  wake(): void
  /** Closes its connection; a notice in flight is dropped (the relay's poll finds its rows). */
  close(): Promise<void>
}

/**
 * A wake-up for the lease holder in another process, to call after each commit that enqueued
 * rows. At most one notice is in flight; commits meanwhile send one more after it, not one each.
 * Notices go over a connection of their own, opened on first use: behind the writers in the pool
 * they would wait for a free connection. A notice that fails is dropped (the connection with it):
 * the holder's poll finds the rows a little later.
 */
export function crossProcessWaker(db: Knex, dialect: Dialect, leaseName: string, logger: Logger): CrossProcessWaker {
  const wakeups = dialect.wakeups
  if (!wakeups) return { wake: () => {}, close: async () => {} }
  const channel = outboxChannel(leaseName)
  let conn: HeldConnection | null = null
  let sending: Promise<void> | null = null
  let again = false
  let closed = false
  async function notify(): Promise<void> {
    // A connection gone silent would hold this notice, and every later one, for good: cut it.
    const timer = setTimeout(() => { if (conn) dialect.destroyConnection(conn) }, NOTICE_TIMEOUT_MS)
    try {
      conn ??= await db.client.acquireRawConnection() as HeldConnection
      await wakeups!.notify(db, channel, conn)
    } catch (err) {
      if (conn) dialect.destroyConnection(conn)
      conn = null
      throw err
    } finally {
      clearTimeout(timer)
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
      // Not waited for: a notice in flight on a silent connection would hold the shutdown.
      if (sending && conn) dialect.destroyConnection(conn)
      await sending
      if (conn) await db.client.destroyRawConnection(conn).catch(() => {})
      conn = null
    },
  }
}
