import { describe, expect, it } from 'vitest'
import { mssqlConnection, pgConnection } from './db.ts'

const timeouts = { statementMs: 30_000, idleInTransactionMs: 60_000, queryMs: 35_000 }

describe('connection settings', () => {
  it('give node-postgres keepalive on the client socket and ask the server for its own, per session', () => {
    const pg = pgConnection('postgres://u@db:5432/x', { idleMs: 30_000, intervalMs: 10_000, count: 3 }, timeouts)
    expect(pg).toMatchObject({ keepAlive: true, keepAliveInitialDelayMillis: 30_000, statement_timeout: 30_000, idle_in_transaction_session_timeout: 60_000, query_timeout: 35_000 })
    expect(pg.options).toBe('-c tcp_keepalives_idle=30000ms -c tcp_keepalives_interval=10000ms -c tcp_keepalives_count=3')
  })

  it('give tedious the statement timeout as its request timeout, and the rest of the query timeout to have a cancel acknowledged', () => {
    const mssql = mssqlConnection('mssql://sa:pw@db:1433/orders', timeouts)
    expect(mssql).toMatchObject({ requestTimeout: 30_000, options: { cancelTimeout: 5_000 } })
  })
})
