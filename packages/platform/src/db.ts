// Database connections: knex for PostgreSQL or SQL Server, with TCP keepalive and timeouts so a silent peer or a stuck query is noticed.
import knex, { type Knex } from 'knex'

/** TCP keepalive on a database connection: how a dead peer is noticed on a connection with nothing to say. */
export interface KeepAlive {
  idleMs: number
  intervalMs: number
  count: number
}

/** Limits on how long the database, or the client, waits for the other side. */
export interface DbTimeouts {
  /** The server cancels a statement running longer (0: never). */
  statementMs: number
  /** The server ends a session idle this long inside a transaction (0: never). */
  idleInTransactionMs: number
  /** The client gives up on a query unanswered this long: a silent socket rejects instead of hanging. */
  queryMs: number
}

// Linux waits 2 h 11 min (7,200 s idle, then 9 probes 75 s apart) before declaring a silent peer
// dead. Here a peer that vanished (host down, cable cut, a NAT that forgot the flow) is noticed
// after 30 s + 3 × 10 s = 1 min, and 30 s of quiet is short enough to keep idle flows in the state
// tables of firewalls and NATs, which commonly drop them after a few minutes.
export const defaultKeepAlive: KeepAlive = { idleMs: 30_000, intervalMs: 10_000, count: 3 }

export const defaultDbTimeouts: DbTimeouts = {
  // A healthy statement here takes milliseconds: a saga step touches a few rows, a relay batch
  // reads or marks at most 1,000. 30 s leaves two orders of magnitude for a loaded machine and
  // still cuts a runaway query or a lock wait behind a stuck session.
  statementMs: 30_000,
  // A transaction idles only while its process works between two statements (encoding an event,
  // a registry lookup). After a minute the process is hung or gone; ending the session frees the
  // row locks and per-key enqueue locks that every writer to those keys would otherwise wait on.
  idleInTransactionMs: 60_000,
  // The statement timeout plus 5 s for the server's cancellation to arrive: this fires only when
  // the server says nothing at all, a silent connection.
  queryMs: 35_000,
}

export interface DbOptions {
  client: 'pg' | 'mssql'
  url: string
  poolMax: number
  /** Every connection has keepalive; these defaults unless told. */
  keepAlive?: KeepAlive
  /** None unless given: services give theirs (config); tools may run long statements. */
  timeouts?: DbTimeouts
  /** Where knex's own warnings and errors go (a pooled connection dropped by a restart); knex prints them on stdout unless told. */
  log?: (message: string) => void
}

/**
 * A knex instance for PostgreSQL (`postgres://…`) or SQL Server (`mssql://user:pass@host:port/db`,
 * through tedious). The pool keeps no connection spare for the relay: the relay works on its own
 * lease connection, opened outside this pool (the messaging package's lease-session.ts), and all
 * `poolMax` connections serve requests and consumers.
 */
export function createDb({ client, url, poolMax, keepAlive = defaultKeepAlive, timeouts, log }: DbOptions): Knex {
  const timedOut = client === 'pg' && timeouts ? disposeTimedOut() : undefined
  const write = log && ((message: unknown) => log(`knex: ${String(message)}`))
  const db = knex({
    client,
    connection: client === 'mssql' ? mssqlConnection(url, timeouts) : pgConnection(url, keepAlive, timeouts),
    pool: { min: 0, max: poolMax, ...(timedOut ? { afterCreate: timedOut.afterCreate } : {}) },
    acquireConnectionTimeout: 10_000,
    ...(write ? { log: { warn: write, error: write, deprecate: write, debug: write } } : {}),
  })
  if (timedOut) db.on('query-error', timedOut.onQueryError)
  return db
}

/** node-postgres settings: keepalive on both ends of the socket, and the timeouts. */
export function pgConnection(url: string, keepAlive: KeepAlive, timeouts?: DbTimeouts): Knex.PgConnectionConfig {
  return {
    connectionString: url,
    keepAlive: true,
    keepAliveInitialDelayMillis: keepAlive.idleMs,
    // The server's side, per session: its probes, and not the server's 2-hour default, decide when
    // it drops a session (and the locks it holds) whose client vanished.
    options: [
      `-c tcp_keepalives_idle=${keepAlive.idleMs}ms`,
      `-c tcp_keepalives_interval=${keepAlive.intervalMs}ms`,
      `-c tcp_keepalives_count=${keepAlive.count}`,
    ].join(' '),
    ...(timeouts
      ? {
          statement_timeout: timeouts.statementMs,
          idle_in_transaction_session_timeout: timeouts.idleInTransactionMs,
          query_timeout: timeouts.queryMs,
        }
      : {}),
  }
}

/**
 * tedious settings. Keepalive: tedious turns it on for every socket itself (30 s, not
 * configurable). SQL Server has no per-session statement or idle-in-transaction timeout: the client
 * cancels a request after the statement timeout and, if the server does not acknowledge the
 * cancel within the rest of the query timeout, drops the connection.
 */
export function mssqlConnection(url: string, timeouts?: DbTimeouts): Knex.MsSqlConnectionConfig {
  const u = new URL(url)
  return {
    server: u.hostname,
    port: Number(u.port || 1433),
    userName: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: u.pathname.replace(/^\//, ''),
    ...(timeouts ? { requestTimeout: timeouts.statementMs } : {}),
    options: {
      encrypt: u.searchParams.get('encrypt') !== 'false',
      trustServerCertificate: u.searchParams.get('trustServerCertificate') === 'true',
      // A tedious option knex's type leaves out; knex passes options through to tedious.
      ...(timeouts ? { cancelTimeout: timeouts.queryMs - timeouts.statementMs } : {}),
    },
  }
}

interface PooledPgClient {
  __knexUid?: string
  __knex__disposed?: unknown
  once(event: 'end', listener: () => void): void
}

/**
 * After a query timeout node-postgres keeps the connection, its unanswered query still in front
 * of every later one: back in the pool it would fail each query it is lent for. Marked disposed
 * (knex's own flag), the pool destroys it instead of lending it again.
 */
function disposeTimedOut() {
  const open = new Map<string, PooledPgClient>()
  return {
    afterCreate(conn: PooledPgClient, done: (err: Error | null, conn: PooledPgClient) => void): void {
      const uid = conn.__knexUid
      if (uid !== undefined) {
        open.set(uid, conn)
        conn.once('end', () => open.delete(uid))
      }
      done(null, conn)
    },
    onQueryError(err: unknown, query: { __knexUid?: string }): void {
      if (!(err instanceof Error) || !err.message.endsWith(PG_QUERY_TIMEOUT_MESSAGE) || query.__knexUid === undefined) return
      const conn = open.get(query.__knexUid)
      if (conn) conn.__knex__disposed = err
    },
  }
}

// node-postgres's error when query_timeout passes; it carries no code, and knex puts the SQL before it.
const PG_QUERY_TIMEOUT_MESSAGE = 'Query read timeout'

/** Whether the database answers a trivial query. */
export async function databaseReachable(db: Knex): Promise<boolean> {
  try {
    await db.raw('SELECT 1 AS ok')
    return true
  } catch {
    return false
  }
}
