// Which failures are retried (an outage, or the database picking a victim) and which are the message's own fault, by driver error code.
import { KEY_LOCK_REFUSED } from './dialects/mssql.ts'

// Which failures are worth retrying. Two kinds, both retried until they pass (a valid event is never
// dead-lettered for them): the infrastructure is away (an outage: dead-lettering a stream during an
// outage is what users of other outboxes complain of), and the database chose this transaction as a
// victim of contention. Anything else is the message's own fault, and permanent.

// Sockets, from Node (pg) and tedious, whose errors are all named 'Error' and told apart by code.
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'ECONNCLOSED'])
const TEDIOUS_CODES = new Set([
  'ESOCKET', 'ECLOSE', // the connection broke or was closed under a request
  'ETIMEOUT', // connecting, or a request, timed out: a server that stopped answering, from here
  'ELOGIN', // login refused: SQL Server starting, or its database recovering or failing over
  'EINVALIDSTATE', // a request on a connection a failure left in the wrong state
])

// PostgreSQL's SQLSTATE (https://www.postgresql.org/docs/current/errcodes-appendix.html), by class
// where the whole class means "not now": 08 connection exception, 53 insufficient resources (53300
// too many connections, 53100 disk full, 53200 out of memory).
const OUTAGE_SQLSTATE_CLASS = /^(08|53)[0-9A-Z]{3}$/
const OUTAGE_SQLSTATES = new Set([
  '57P01', '57P02', '57P03', '57P04', '57P05', // the server shuts down, crashed, is starting, dropped the database, ended an idle session
  '25P03', // the server ended a session idle in a transaction: the connection is gone
  '25006', // read_only_sql_transaction: connected to a standby, as during a failover
])
const VICTIM_SQLSTATES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available (lock_timeout)
])
// 57014 query_canceled is our own statement_timeout (usually a lock wait behind a stuck session: the
// same contention) or a cancel from elsewhere (an operator, a failover tool): the server, not the event.
const QUERY_CANCELED = '57014'
const OWN_TIMEOUT = /statement timeout/i

// SQL Server error numbers: victims (deadlock, lock request time-out, a key lock not granted), and the ones Microsoft lists
// as transient (https://learn.microsoft.com/azure/azure-sql/database/troubleshoot-common-errors-issues):
// a database unavailable, recovering, read-only or failing over.
const MSSQL_VICTIM_NUMBERS = new Set([1205, 1222, KEY_LOCK_REFUSED])
const MSSQL_OUTAGE_NUMBERS = new Set([233, 4060, 4221, 3906, 976, 978, 983, 10928, 10929, 40197, 40501, 40613, 49918, 49919, 49920])

export type FailureKind = 'outage' | 'contention' | 'permanent'

interface ErrorLike { code?: unknown; number?: unknown; name?: unknown; retriable?: unknown; message?: unknown; cause?: unknown }

function classifyOne(x: ErrorLike): FailureKind | undefined {
  const message = typeof x.message === 'string' ? x.message : ''
  if (typeof x.code === 'string') {
    if (SOCKET_CODES.has(x.code) || TEDIOUS_CODES.has(x.code)) return 'outage'
    if (OUTAGE_SQLSTATE_CLASS.test(x.code) || OUTAGE_SQLSTATES.has(x.code)) return 'outage'
    if (VICTIM_SQLSTATES.has(x.code)) return 'contention'
    if (x.code === QUERY_CANCELED) return OWN_TIMEOUT.test(message) ? 'contention' : 'outage'
  }
  if (typeof x.number === 'number') {
    if (MSSQL_VICTIM_NUMBERS.has(x.number)) return 'contention'
    if (MSSQL_OUTAGE_NUMBERS.has(x.number)) return 'outage'
  }
  // knex's pool (no connection in time) and node-postgres's own words for a connection that is gone.
  if (x.name === 'KnexTimeoutError' || x.name === 'ConnectionError') return 'outage'
  if (/Connection terminated|connection is closed|Client was closed|not queryable|Query read timeout|timeout exceeded when trying to connect/i.test(message)) return 'outage'
  // The registry away is an outage like the database away: wait for it, do not dead-letter.
  if (x.name === 'RegistryError' && x.retriable === true) return 'outage'
  if (x.retriable === true) return 'contention'
  return undefined
}

export function classify(err: unknown): FailureKind {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as ErrorLike).cause, depth++) {
    const kind = classifyOne(e as ErrorLike)
    if (kind) return kind
  }
  return 'permanent'
}
