// Which failures are worth retrying. Two kinds: the infrastructure is away (retry until it is
// back: dead-lettering a stream during an outage is what users of other outboxes complain of),
// and the database chose this transaction as a victim (retry a bounded number of times).

const CONNECTION_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'ESOCKET', 'ECONNCLOSED',
  '57P01', // admin_shutdown: PostgreSQL is restarting
  '57P02', '57P03', // crash_shutdown, cannot_connect_now
  '08000', '08003', '08006', '08001', '08004', // connection exceptions
  '25P03', '57P05', // the server ended a session idle too long (in a transaction / at all): the connection is gone
])
const VICTIM_CODES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available
  '57014', // query_canceled: statement_timeout, usually a lock wait behind a stuck session
])
const MSSQL_VICTIM_NUMBERS = new Set([1205, 1222]) // deadlock victim, lock request time-out

export type FailureKind = 'outage' | 'contention' | 'permanent'

interface ErrorLike { code?: unknown; number?: unknown; name?: unknown; retriable?: unknown; message?: unknown; cause?: unknown }

export function classify(err: unknown): FailureKind {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as ErrorLike).cause, depth++) {
    const x = e as ErrorLike
    if (typeof x.code === 'string' && CONNECTION_CODES.has(x.code)) return 'outage'
    if (typeof x.code === 'string' && VICTIM_CODES.has(x.code)) return 'contention'
    if (typeof x.number === 'number' && MSSQL_VICTIM_NUMBERS.has(x.number)) return 'contention'
    if (x.name === 'KnexTimeoutError' || x.name === 'ConnectionError') return 'outage'
    if (typeof x.message === 'string' && /Connection terminated|connection is closed|Client was closed|not queryable|Query read timeout/i.test(x.message)) return 'outage'
    // The registry away is an outage like the database away: wait for it, do not dead-letter.
    if (x.name === 'RegistryError' && x.retriable === true) return 'outage'
    if (x.retriable === true) return 'contention'
  }
  return 'permanent'
}
