// The few statements whose SQL differs between PostgreSQL and SQL Server (key locks, the lease, id lists, inbox claims), as one interface.
import type { Knex } from 'knex'

/** A connection taken out of the pool and held, for work that must stay on one session. */
export type HeldConnection = unknown

/** An outbox row as enqueue writes it (the id, times and publish state are the table's). */
export interface OutboxInsert {
  event_id: string
  aggregate_type: string
  /** The key: rows of one aggregate id are serialised and published in id order. */
  aggregate_id: string
  event_type: string
  topic: string
  /** JSON text. */
  payload: string
  value: Buffer
  schema_id: number
  /** JSON text. */
  headers: string
}

export interface InboxRow {
  consumer_group: string
  event_id: string
  event_type: string
  topic: string
  partition: number
  offset: string
}

/**
 * The statements whose SQL differs between PostgreSQL and SQL Server. Everything else in the
 * package is written once with knex's query builder.
 */
export interface Dialect {
  readonly name: 'pg' | 'mssql'
  /**
   * Inserts outbox rows, ids in the order given, after taking their keys' locks: the locks
   * serialise, until commit, every transaction that enqueues events for one of these keys, and
   * are taken before any id is drawn. This is what makes per-key commit order equal id order
   * (see relay.ts).
   */
  insertOutbox(trx: Knex.Transaction, rows: readonly OutboxInsert[]): Promise<void>
  /** Tries to take the relay's lease on a held connection; the lease lives as long as the session. */
  tryLease(db: Knex, conn: HeldConnection, name: string): Promise<boolean>
  releaseLease(db: Knex, conn: HeldConnection, name: string): Promise<void>
  /**
   * Has the server end this session once it has been idle (between statements) longer than `ms`,
   * where the server can: a lease then outlives a silent client by that long at most.
   */
  limitIdleSession(db: Knex, conn: HeldConnection, ms: number): Promise<void>
  /**
   * Lets this session's commits return before their WAL is flushed, where the server can. For the
   * relay's session, which writes only bookkeeping: a server crash can lose its last marks, and
   * those rows are sent again, copies that consumers drop by event id.
   */
  skipCommitFlush?(db: Knex, conn: HeldConnection): Promise<void>
  /** Closes a connection's socket at once, waiting for nothing: on a silent connection a polite goodbye never completes. */
  destroyConnection(conn: HeldConnection): void
  /** Narrows a query to rows whose id is (or is not) one of these: the relay's batches of up to 1,000. */
  whereIdIn(query: Knex.QueryBuilder, ids: readonly (string | number)[]): Knex.QueryBuilder
  whereIdNotIn(query: Knex.QueryBuilder, ids: readonly (string | number)[]): Knex.QueryBuilder
  /**
   * `read` preceded, in the same statement, by `update` (a data-modifying WITH named `alias`),
   * where the server can; undefined where it cannot, and the relay then marks each batch in a
   * statement of its own, at once. The read does not see the update's changes.
   */
  withUpdate?(read: Knex.QueryBuilder, alias: string, update: Knex.QueryBuilder): Knex.QueryBuilder
  /** Records (group, event id) unless present; true when this call recorded it. */
  claimInbox(trx: Knex.Transaction, row: InboxRow): Promise<boolean>
  /** Records each (group, event id) not present yet; returns the event ids this call recorded. Ids are distinct. */
  claimInboxes(trx: Knex.Transaction, rows: readonly InboxRow[]): Promise<Set<string>>
  /**
   * Makes each lock wait in the rest of this transaction fail after `ms` instead of waiting on,
   * where the server can scope that to one transaction: a batch of events in one transaction
   * then gives way (and is handled an event at a time) instead of waiting on a lock cycle.
   */
  boundLockWaits(trx: Knex.Transaction, ms: number): Promise<void>
  /**
   * Where the server can tell other sessions: `onNotice` is called when some session calls
   * `notify(channel)`. The relay's held session listens, and a writer in another process wakes it
   * after its commit. Undefined where the server cannot (the relay then polls).
   */
  wakeups?: {
    listen(db: Knex, conn: HeldConnection, channel: string, onNotice: () => void): Promise<void>
    /** On a held connection, outside any transaction: in PostgreSQL a notifying commit takes a database-wide lock, so writers' commits never notify. */
    notify(db: Knex, channel: string, conn: HeldConnection): Promise<void>
  }
}
