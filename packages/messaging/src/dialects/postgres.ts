// The PostgreSQL dialect: advisory locks for key locks and the relay's lease, array parameters for id lists, ON CONFLICT for the inbox.
import type { Knex } from 'knex'
import type { Dialect, HeldConnection, InboxRow, OutboxInsert } from './dialect.ts'

// Advisory-lock key spaces: the two-integer form for the relay's lease, the single bigint form
// (a hash of the aggregate id) for per-key enqueue locks. PostgreSQL keeps the two apart.
const LEASE_CLASS = 0x0c40e0

/**
 * One round trip for the key locks and the rows. `locked` is an aggregate over the sorted keys
 * (sorted, so two transactions locking the same keys cannot deadlock on each other), and every
 * inserted row joins it: no row, and so no id drawn from the sequence, before every lock is held.
 * Rows come as one array per column, in the order given, whatever their number.
 */
export const INSERT_OUTBOX_SQL = `WITH locked AS MATERIALIZED (
  SELECT count(pg_advisory_xact_lock(hashtextextended(k, 0))) AS keys
  FROM (SELECT DISTINCT k FROM unnest(?::text[]) AS k ORDER BY k) AS sorted
)
INSERT INTO outbox (event_id, aggregate_type, aggregate_id, event_type, topic, payload, value, schema_id, headers)
SELECT r.event_id, r.aggregate_type, r.aggregate_id, r.event_type, r.topic, r.payload, r.value, r.schema_id, r.headers
FROM locked, unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::jsonb[], ?::bytea[], ?::int[], ?::jsonb[])
  AS r(event_id, aggregate_type, aggregate_id, event_type, topic, payload, value, schema_id, headers)`

interface PgClient {
  connection: { stream: { destroy(): void } }
  on(event: 'notification', listener: (message: { channel: string }) => void): void
}

export const postgresDialect: Dialect = {
  name: 'pg',

  async insertOutbox(trx, rows) {
    if (rows.length === 0) return
    const column = <K extends keyof OutboxInsert>(name: K) => rows.map((row) => row[name])
    await trx.raw(INSERT_OUTBOX_SQL, [
      column('aggregate_id'), column('event_id'), column('aggregate_type'), column('aggregate_id'), column('event_type'),
      column('topic'), column('payload'), column('value'), column('schema_id'), column('headers'),
    ])
  },

  async tryLease(db: Knex, conn: HeldConnection, name: string) {
    const { rows } = await db
      .raw('SELECT pg_try_advisory_lock(?, hashtext(?)) AS locked', [LEASE_CLASS, name])
      .connection(conn)
    return rows[0]?.locked === true
  },

  async releaseLease(db: Knex, conn: HeldConnection, name: string) {
    await db.raw('SELECT pg_advisory_unlock(?, hashtext(?))', [LEASE_CLASS, name]).connection(conn)
  },

  // idle_session_timeout exists from PostgreSQL 14: on an older server no row matches and the
  // session keeps only its TCP keepalive.
  async limitIdleSession(db: Knex, conn: HeldConnection, ms: number) {
    await db
      .raw("SELECT set_config(name, ?, false) FROM pg_settings WHERE name = 'idle_session_timeout'", [String(ms)])
      .connection(conn)
  },

  async skipCommitFlush(db: Knex, conn: HeldConnection) {
    await db.raw('SET synchronous_commit = off').connection(conn)
  },

  wakeups: {
    async listen(db, conn, channel, onNotice) {
      ;(conn as PgClient).on('notification', (message) => { if (message.channel === channel) onNotice() })
      await db.raw(`LISTEN "${channel.replaceAll('"', '""')}"`).connection(conn)
    },
    async notify(db, channel, conn) {
      await db.raw('SELECT pg_notify(?, NULL)', [channel]).connection(conn)
    },
  },

  // node-postgres offers no public way: end() says goodbye and waits for the server's close.
  destroyConnection(conn: HeldConnection) {
    ;(conn as PgClient).connection.stream.destroy()
  },

  // One array parameter instead of one per id: a small statement to send, parse and plan.
  whereIdIn(query, ids) {
    return query.whereRaw('id = ANY(?::bigint[])', [ids.map(String)])
  },

  whereIdNotIn(query, ids) {
    return query.whereRaw('id <> ALL(?::bigint[])', [ids.map(String)])
  },

  withUpdate(read, alias, update) {
    return read.with(alias, update)
  },

  async claimInbox(trx: Knex.Transaction, row: InboxRow) {
    const inserted = await trx('inbox').insert(row).onConflict(['consumer_group', 'event_id']).ignore().returning('event_id')
    return inserted.length === 1
  },

  async claimInboxes(trx, rows) {
    if (rows.length === 0) return new Set()
    const inserted = await trx('inbox').insert([...rows]).onConflict(['consumer_group', 'event_id']).ignore().returning('event_id')
    return new Set(inserted.map((r: { event_id: string }) => r.event_id))
  },

  async boundLockWaits(trx, ms) {
    // SET LOCAL ends with the transaction: the pooled connection goes back with the server's default.
    await trx.raw(`SET LOCAL lock_timeout = ${Math.max(1, Math.floor(ms))}`)
  },
}
