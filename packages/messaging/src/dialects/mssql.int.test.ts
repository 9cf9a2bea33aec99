import knex, { type Knex } from 'knex'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { infra } from '@choreo/testkit'
import { createMessagingTables } from '../migrations.ts'
import { KEY_LOCK_REFUSED, lockKeys, lockKeysSql, mssqlDialect } from './mssql.ts'

// Runs against a real SQL Server: TEST_MSSQL_URL, or Testcontainers where a Docker engine
// answers. Elsewhere it is reported as skipped, with the reason, never as passed.
const target = infra().mssql
const reason = 'skipped' in target ? target.skipped : ''

describe.skipIf('skipped' in target)(`SQL Server dialect against a real server${reason ? ` (skipped: ${reason})` : ''}`, () => {
  let db: Knex
  const name = `t_msg_${Date.now()}`
  beforeAll(async () => {
    const url = new URL((target as { url: string }).url)
    const admin = knex({ client: 'mssql', connection: { server: url.hostname, port: Number(url.port), userName: decodeURIComponent(url.username), password: decodeURIComponent(url.password), database: 'master', options: { encrypt: true, trustServerCertificate: true } } })
    await admin.raw(`CREATE DATABASE ${name}`)
    await admin.destroy()
    db = knex({ client: 'mssql', connection: { server: url.hostname, port: Number(url.port), userName: decodeURIComponent(url.username), password: decodeURIComponent(url.password), database: name, options: { encrypt: true, trustServerCertificate: true } } })
    await createMessagingTables(db)
  })
  afterAll(async () => { await db?.destroy() })

  it('claims an inbox entry once', async () => {
    const row = { consumer_group: 'g', event_id: 'e-1', event_type: 'OrderPlaced', topic: 't', partition: 0, offset: '1' }
    expect(await db.transaction((trx) => mssqlDialect.claimInbox(trx, row))).toBe(true)
    expect(await db.transaction((trx) => mssqlDialect.claimInbox(trx, row))).toBe(false)
  })

  it('grants the relay lease to one session at a time', async () => {
    const a = await db.client.acquireConnection()
    const b = await db.client.acquireConnection()
    expect(await mssqlDialect.tryLease(db, a, 'r')).toBe(true)
    expect(await mssqlDialect.tryLease(db, b, 'r')).toBe(false)
    await mssqlDialect.releaseLease(db, a, 'r')
    expect(await mssqlDialect.tryLease(db, b, 'r')).toBe(true)
    await db.client.releaseConnection(a)
    await db.client.releaseConnection(b)
  })

  it('marks more ids in one statement than SQL Server takes parameters (2,100)', async () => {
    const rows = Array.from({ length: 3000 }, (_, i) => ({
      event_id: `e-${i}`, aggregate_type: 'order', aggregate_id: 'k', event_type: 'OrderPlaced', topic: 't', payload: '{}', headers: '{}',
    }))
    for (let i = 0; i < rows.length; i += 200) await db('outbox').insert(rows.slice(i, i + 200)) // inserts have the parameter limit too
    const ids = (await db('outbox').select('id').whereNull('published_at')).map((r: { id: string | number }) => String(r.id))
    expect(ids.length).toBeGreaterThanOrEqual(3000)
    await mssqlDialect.whereIdIn(db('outbox'), ids).update({ published_at: db.fn.now() })
    expect(await db('outbox').whereNull('published_at')).toHaveLength(0)
    expect(await mssqlDialect.whereIdNotIn(db('outbox').select('id'), ids.slice(1))).toHaveLength(1)
  })

  it('reads committed rows without waiting for an open transaction (READ_COMMITTED_SNAPSHOT)', async () => {
    const [{ on }] = await db.raw('SELECT is_read_committed_snapshot_on AS [on] FROM sys.databases WHERE name = DB_NAME()')
    expect(Number(on)).toBe(1)
  })

  it('fails a key lock that is not granted instead of going on without it', async () => {
    // A cancelled request is one way sp_getapplock returns below 0 without raising an error: a
    // @LockTimeout of 0 against a held key returns -1 the same way, and goes through the same check.
    const holder = await db.transaction()
    try {
      await lockKeys(holder, ['hot'])
      const sql = lockKeysSql(1).replace('@LockTimeout = -1', '@LockTimeout = 0')
      const err = await db.transaction((trx) => trx.raw(sql, ['outbox:hot'])).then(() => null, (e: unknown) => e)
      expect(err).toMatchObject({ number: KEY_LOCK_REFUSED })
    } finally {
      await holder.rollback()
    }
  })
})
