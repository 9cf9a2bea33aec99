// The relay's own database session, outside the pool: it holds the lease (a session-level lock), and a heartbeat keeps it from idling out.
import type { Knex } from 'knex'
import type { Dialect, HeldConnection } from './dialects/index.ts'
import type { Logger } from './logger.ts'

// The server sees a statement at least every third of the idle timeout, so two heartbeats can be
// late (a busy event loop, a slow reply) before a healthy session is cut.
const HEARTBEATS_PER_IDLE_TIMEOUT = 3

/**
 * The relay's own database session. Its connection is opened outside the pool and never goes
 * back to it: the lease is a session-level lock, and a pooled connection still holding it would
 * block every standby for as long as the pool kept it. The session ends in one of two ways, both
 * by closing the socket: close() after releasing the lease, or at once when a heartbeat fails.
 */
export interface LeaseSession {
  readonly conn: HeldConnection
  /** Tries to take the lease on this session; true when it holds it. */
  tryLease(): Promise<boolean>
  /** Releases the lease if held, then closes the session (also when the release failed). */
  close(): Promise<void>
  /** Closes the session at once, lease and all: for a session that failed, where a release could hang too. */
  destroy(): void
}

export async function openLeaseSession(deps: {
  db: Knex
  dialect: Dialect
  logger: Logger
  name: string
  /** The server ends the session once it has been idle this long (see relay.ts for the bound it gives). */
  idleTimeoutMs: number
}): Promise<LeaseSession> {
  const { db, dialect, logger, name, idleTimeoutMs } = deps
  const conn: HeldConnection = await db.client.acquireRawConnection()
  let leased = false
  let closed = false
  let beating: Promise<void> | null = null

  function destroy(): void {
    if (closed) return
    closed = true
    clearInterval(heartbeat)
    dialect.destroyConnection(conn)
  }

  // While the relay sends to Kafka or backs off it says nothing to the database; the heartbeat
  // keeps a healthy session from looking idle. A heartbeat that fails means the session is lost:
  // closing the socket makes every query waiting on it fail now, so the relay starts over at once.
  const heartbeat = setInterval(() => {
    beating ??= db.raw('SELECT 1').connection(conn).then(
      () => {},
      (err: unknown) => {
        logger.warn({ err, lease: name }, 'lease session heartbeat failed; closing the session')
        destroy()
      },
    ).finally(() => { beating = null })
  }, idleTimeoutMs / HEARTBEATS_PER_IDLE_TIMEOUT)

  try {
    await dialect.limitIdleSession(db, conn, idleTimeoutMs)
  } catch (err) {
    destroy()
    throw err
  }

  return {
    conn,
    async tryLease() {
      leased = await dialect.tryLease(db, conn, name)
      return leased
    },
    async close() {
      clearInterval(heartbeat)
      if (leased && !closed) {
        // Closing the session would release the lease too; releasing first hands it over before
        // the socket closes. Failed or not, the socket closes next.
        await dialect.releaseLease(db, conn, name).catch((err: unknown) => {
          logger.warn({ err, lease: name }, 'releasing the lease failed; closing its session instead')
        })
      }
      destroy()
    },
    destroy,
  }
}
