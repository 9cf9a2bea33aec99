import { createServer, type Server, type Socket } from 'node:net'
import knex, { type Knex } from 'knex'
import pg from 'pg'
import { ConnectionError, RequestError } from 'tedious'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, eventually, uniqueName, type TestDatabase } from '@choreo/testkit'
import { classify } from './retriable.ts'

// Each error here is what a real driver raised against a real server (or a real refusal to
// connect), not an object made to look like one: the classification must hold for what arrives.

async function errorOf(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work()
  } catch (err) {
    return err
  }
  throw new Error('expected the work to fail')
}

describe('failure classification of real PostgreSQL errors', () => {
  let database: TestDatabase
  let db: Knex

  beforeAll(async () => {
    database = await createTestDatabase('retriable', 4)
    db = database.db
  })
  afterAll(async () => { await database.drop() })

  it('calls "too many connections" (53300) an outage', async () => {
    const role = uniqueName('limited').replaceAll('-', '_')
    await db.raw(`CREATE ROLE ${role} LOGIN CONNECTION LIMIT 1`)
    const url = new URL(database.url)
    url.username = role
    const first = new pg.Client({ connectionString: url.toString() })
    const second = new pg.Client({ connectionString: url.toString() })
    try {
      await first.connect()
      const err = await errorOf(() => second.connect())
      expect(err).toMatchObject({ code: '53300' })
      expect(classify(err)).toBe('outage')
    } finally {
      await first.end()
      await second.end().catch(() => {})
      await db.raw(`DROP ROLE ${role}`)
    }
  })

  it("calls pg-pool's wait for a connection that never came an outage", async () => {
    const pool = new pg.Pool({ connectionString: database.url, max: 1, connectionTimeoutMillis: 50 })
    const held = await pool.connect()
    try {
      const err = await errorOf(() => pool.connect())
      expect(String(err)).toMatch(/timeout exceeded when trying to connect/)
      expect(classify(err)).toBe('outage')
    } finally {
      held.release()
      await pool.end()
    }
  })

  it('calls a write on a read-only session (25006, a standby during failover) an outage', async () => {
    const err = await errorOf(() => db.transaction(async (trx) => {
      await trx.raw('SET TRANSACTION READ ONLY')
      await trx.raw('CREATE TABLE never_made (id int)')
    }))
    expect(err).toMatchObject({ code: '25006' })
    expect(classify(err)).toBe('outage')
  })

  it('calls our own statement timeout (57014) contention, and a cancel from another session an outage', async () => {
    const timedOut = await errorOf(() => db.transaction(async (trx) => {
      await trx.raw("SET LOCAL statement_timeout = '50ms'")
      await trx.raw('SELECT pg_sleep(5)')
    }))
    expect(timedOut).toMatchObject({ code: '57014' })
    expect(classify(timedOut)).toBe('contention')

    const sleeper = new pg.Client({ connectionString: database.url, application_name: 'retriable-sleeper' })
    await sleeper.connect()
    try {
      const sleeping = sleeper.query('SELECT pg_sleep(5)')
      const cancelled = errorOf(() => sleeping)
      // The server shows the query once it has received it, which may be after this looks first.
      const rows = await eventually(async () => {
        const { rows: found } = await db.raw<{ rows: { pid: number }[] }>(
          "SELECT pid FROM pg_stat_activity WHERE application_name = 'retriable-sleeper' AND query LIKE 'SELECT pg_sleep%'")
        expect(found).toHaveLength(1)
        return found
      }, { timeoutMs: 4_000, intervalMs: 20 })
      await db.raw('SELECT pg_cancel_backend(?)', [rows[0]!.pid])
      const err = await cancelled
      expect(err).toMatchObject({ code: '57014' })
      expect(classify(err)).toBe('outage')
    } finally {
      await sleeper.end()
    }
  })

  it('calls a lock the transaction would not wait for (55P03) contention, and a broken row permanent', async () => {
    await db.raw('CREATE TABLE IF NOT EXISTS hot (id int PRIMARY KEY)')
    await db.raw('INSERT INTO hot VALUES (1) ON CONFLICT DO NOTHING')
    const holder = await db.transaction()
    try {
      await holder.raw('SELECT id FROM hot WHERE id = 1 FOR UPDATE')
      const err = await errorOf(() => db.transaction(async (trx) => {
        await trx.raw("SET LOCAL lock_timeout = '20ms'")
        await trx.raw('SELECT id FROM hot WHERE id = 1 FOR UPDATE')
      }))
      expect(err).toMatchObject({ code: '55P03' })
      expect(classify(err)).toBe('contention')
    } finally {
      await holder.rollback()
    }
    const duplicate = await errorOf(() => db.raw('INSERT INTO hot VALUES (1)'))
    expect(duplicate).toMatchObject({ code: '23505' })
    expect(classify(duplicate)).toBe('permanent')
  })
})

describe('failure classification of tedious (SQL Server) errors', () => {
  // A port where nothing listens, and one that accepts and never answers: what knex's mssql
  // client, through tedious, gives when SQL Server is down or hangs. No SQL Server runs here.
  let silent: Server
  let silentPort = 0
  const accepted = new Set<Socket>()
  const open: Knex[] = []

  beforeAll(async () => {
    silent = createServer((socket) => { accepted.add(socket) })
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    silentPort = (silent.address() as { port: number }).port
  })
  afterAll(async () => {
    for (const db of open) await db.destroy()
    for (const socket of accepted) socket.destroy()
    await new Promise((resolve) => silent.close(resolve))
  })

  function mssql(port: number): Knex {
    const db = knex({
      client: 'mssql',
      connection: { server: '127.0.0.1', port, user: 'sa', password: 'x', connectionTimeout: 300, options: { encrypt: false } },
      pool: { min: 0, max: 1 },
      acquireConnectionTimeout: 5000,
      log: { warn: () => {}, error: () => {}, debug: () => {}, deprecate: () => {} }, // knex's own lines about the refusals this test causes
    })
    open.push(db)
    return db
  }

  it('calls a refused connection an outage', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as { port: number }
        probe.close(() => resolve(port))
      })
    })
    const err = await errorOf(() => mssql(closedPort).raw('SELECT 1'))
    expect(err).toMatchObject({ name: 'Error', code: 'ESOCKET' })
    expect(classify(err)).toBe('outage')
  })

  it('calls a server that never answers the login (ETIMEOUT) an outage', async () => {
    const err = await errorOf(() => mssql(silentPort).raw('SELECT 1'))
    expect(err).toMatchObject({ name: 'Error', code: 'ETIMEOUT', message: expect.stringMatching(/Failed to connect .* in 300ms/) })
    expect(classify(err)).toBe('outage')
  })

  it("calls tedious's own connection and request errors by code, whatever their name", () => {
    for (const code of ['ESOCKET', 'ECLOSE', 'ETIMEOUT', 'ELOGIN']) {
      const err = new ConnectionError(`connection failed (${code})`, code)
      expect(err.name).toBe('Error') // nothing but the code tells them apart
      expect(classify(err), code).toBe('outage')
    }
    for (const code of ['ETIMEOUT', 'EINVALIDSTATE', 'ECLOSE']) {
      expect(classify(new RequestError(`request failed (${code})`, code)), code).toBe('outage')
    }
    const victim = Object.assign(new RequestError('Transaction was deadlocked on lock resources', 'EREQUEST'), { number: 1205 })
    expect(classify(victim)).toBe('contention')
    const failover = Object.assign(new RequestError('Database is not currently available', 'EREQUEST'), { number: 40613 })
    expect(classify(failover)).toBe('outage')
    const bad = Object.assign(new RequestError("Violation of PRIMARY KEY constraint 'PK_orders'", 'EREQUEST'), { number: 2627 })
    expect(classify(bad)).toBe('permanent')
  })
})
