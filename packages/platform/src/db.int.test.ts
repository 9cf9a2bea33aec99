import type { Knex } from 'knex'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createTestDatabase, infra, startTcpProxy, type TcpProxy, type TestDatabase } from '@choreo/testkit'
import { createDb, defaultDbTimeouts } from './db.ts'

describe('database connections', () => {
  let database: TestDatabase
  let proxy: TcpProxy
  const dbs: Knex[] = []

  beforeEach(async () => {
    database = await createTestDatabase('db-connections', 1)
    const pg = new URL(infra().postgresUrl)
    proxy = await startTcpProxy({ host: pg.hostname, port: Number(pg.port || 5432) })
  })

  afterEach(async () => {
    for (const db of dbs.splice(0)) await db.destroy()
    await proxy.close()
    await database.drop()
  })

  it('have the server probe and time out every session as configured', async () => {
    const db = createDb({
      client: 'pg', url: database.url, poolMax: 1,
      keepAlive: { idleMs: 7000, intervalMs: 3000, count: 4 },
      timeouts: { statementMs: 1500, idleInTransactionMs: 2500, queryMs: 5000 },
    })
    dbs.push(db)
    const { rows } = await db.raw<{ rows: Record<string, string>[] }>(`SELECT
      current_setting('tcp_keepalives_idle') AS idle, current_setting('tcp_keepalives_interval') AS interval,
      current_setting('tcp_keepalives_count') AS count, current_setting('statement_timeout') AS statement,
      current_setting('idle_in_transaction_session_timeout') AS idle_in_transaction`)
    expect(rows[0]).toEqual({ idle: '7', interval: '3', count: '4', statement: '1500ms', idle_in_transaction: '2500ms' })
    await expect(db.raw('SELECT pg_sleep(3)')).rejects.toMatchObject({ code: '57014' })
  })

  it('reject a query on a silent connection after the query timeout, and do not lend that connection again', async () => {
    const db = createDb({
      client: 'pg', url: proxy.url(database.url), poolMax: 1,
      timeouts: { ...defaultDbTimeouts, statementMs: 500, queryMs: 1000 },
    })
    dbs.push(db)
    await db.raw('SELECT 1')
    proxy.silenceExisting()
    await expect(db.raw('SELECT 1')).rejects.toThrow('Query read timeout')
    // The pool's one connection is the silent one: a fresh connection must answer this.
    const { rows } = await db.raw<{ rows: { ok: number }[] }>('SELECT 1 AS ok')
    expect(rows).toEqual([{ ok: 1 }])
  })
})
