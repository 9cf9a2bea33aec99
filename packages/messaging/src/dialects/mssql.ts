// The SQL Server dialect: application locks (sp_getapplock) for key locks and the lease, OPENJSON id lists, a locked inbox claim.
import type { Knex } from 'knex'
import type { Dialect, HeldConnection, InboxRow } from './dialect.ts'

// SQL Server's application locks play the part of PostgreSQL's advisory locks:
// owner 'Transaction' for per-key enqueue locks, owner 'Session' for the relay's lease.

// sp_getapplock says "not granted" by its return code, not by an error: below 0 it was cancelled,
// or chosen as a deadlock victim (-3), with the transaction still open. Going on would insert
// without the key's lock, so the batch fails instead, with a number classify() calls contention
// (retriable.ts): the transaction rolls back and is tried again.
export const KEY_LOCK_REFUSED = 50_001

export function lockKeysSql(count: number): string {
  return [
    'DECLARE @granted int;',
    ...Array.from({ length: count }, () =>
      "EXEC @granted = sp_getapplock @Resource = ?, @LockMode = 'Exclusive', @LockOwner = 'Transaction', @LockTimeout = -1; "
      + `IF @granted < 0 THROW ${KEY_LOCK_REFUSED}, N'sp_getapplock did not grant an outbox key lock (deadlock victim or cancelled)', 1;`,
    ),
  ].join('\n')
}

/** Nine parameters a row: 1,800, under SQL Server's 2,100 a statement. */
const ROWS_PER_INSERT = 200

/** The outbox's key locks (sp_getapplock, owned by the transaction), in key order: see Dialect.insertOutbox. */
export async function lockKeys(trx: Knex.Transaction, keys: readonly string[]): Promise<void> {
  const sorted = [...new Set(keys)].sort()
  if (sorted.length === 0) return
  await trx.raw(lockKeysSql(sorted.length), sorted.map((k) => `outbox:${k}`))
}

export const LEASE_SQL =
  "DECLARE @r int; EXEC @r = sp_getapplock @Resource = ?, @LockMode = 'Exclusive', @LockOwner = 'Session', @LockTimeout = 0; SELECT @r AS result;"

// UPDLOCK+HOLDLOCK keeps the check and the insert atomic: a concurrent claim of the same id
// waits for this transaction instead of both seeing "absent".
export const CLAIM_INBOX_SQL = `INSERT INTO inbox (consumer_group, event_id, event_type, topic, partition, [offset])
OUTPUT inserted.event_id
SELECT ?, ?, ?, ?, ?, ?
WHERE NOT EXISTS (SELECT 1 FROM inbox WITH (UPDLOCK, HOLDLOCK) WHERE consumer_group = ? AND event_id = ?)`

export const mssqlDialect: Dialect = {
  name: 'mssql',

  async insertOutbox(trx, rows) {
    if (rows.length === 0) return
    await lockKeys(trx, rows.map((row) => row.aggregate_id))
    // In order, in statements of at most ROWS_PER_INSERT rows.
    for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) await trx('outbox').insert(rows.slice(i, i + ROWS_PER_INSERT))
  },

  async tryLease(db: Knex, conn: HeldConnection, name: string) {
    const rows = await db.raw(LEASE_SQL, [`relay:${name}`]).connection(conn)
    return Number((rows as { result: number }[])[0]?.result) >= 0
  },

  async releaseLease(db: Knex, conn: HeldConnection, name: string) {
    await db.raw("EXEC sp_releaseapplock @Resource = ?, @LockOwner = 'Session'", [`relay:${name}`]).connection(conn)
  },

  // SQL Server has no idle-session timeout: a lease outlives a silent client until the server's
  // TCP keepalive gives up, or for as long as a middlebox answers its probes.
  async limitIdleSession() {},

  // tedious's close() destroys the socket at once.
  destroyConnection(conn: HeldConnection) {
    ;(conn as { close(): void }).close()
  },

  // One JSON array parameter, whatever the batch size: a parameter per id would stop at SQL
  // Server's 2,100 parameters. OPENJSON needs compatibility level 130 (SQL Server 2016) or later.
  whereIdIn(query, ids) {
    return query.whereRaw('[id] IN (SELECT CAST([value] AS bigint) FROM OPENJSON(?))', [JSON.stringify(ids.map(String))])
  },

  whereIdNotIn(query, ids) {
    return query.whereRaw('[id] NOT IN (SELECT CAST([value] AS bigint) FROM OPENJSON(?))', [JSON.stringify(ids.map(String))])
  },

  async claimInbox(trx: Knex.Transaction, row: InboxRow) {
    const inserted = (await trx.raw(CLAIM_INBOX_SQL, [
      row.consumer_group, row.event_id, row.event_type, row.topic, row.partition, row.offset,
      row.consumer_group, row.event_id,
    ])) as unknown[]
    return inserted.length === 1
  },

  // One claim a statement, in the batch's transaction: what a batch saves here is its commits.
  async claimInboxes(trx, rows) {
    const claimed = new Set<string>()
    for (const row of rows) if (await mssqlDialect.claimInbox(trx, row)) claimed.add(row.event_id)
    return claimed
  },

  // SET LOCK_TIMEOUT outlives the transaction on SQL Server (it is the session's, and the session
  // goes back to the pool), so nothing is set: the server's deadlock monitor breaks a lock cycle
  // between two batches, and the victim's batch is then handled an event at a time.
  async boundLockWaits() {},
}
