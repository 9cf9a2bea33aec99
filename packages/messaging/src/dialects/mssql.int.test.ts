import knex, { type Knex } from 'knex'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { infra } from '@choreo/testkit'
import { messagingTables } from '../migrations.ts'
import { mssqlDialect } from './mssql.ts'

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
    await messagingTables.up(db)
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
})
