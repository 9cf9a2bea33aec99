import knex from 'knex'
import { describe, expect, it } from 'vitest'
import type { Knex } from 'knex'
import { outboxEncoded, readCommittedSnapshot } from '../migrations.ts'
import { unpublishedRows } from '../relay.ts'
import { CLAIM_INBOX_SQL, KEY_LOCK_REFUSED, LEASE_SQL, lockKeysSql, mssqlDialect } from './mssql.ts'
import { postgresDialect } from './postgres.ts'

// SQL Server cannot run on every machine; the SQL the dialect sends is checked everywhere.
const mssql = knex({ client: 'mssql' })

describe('SQL Server dialect', () => {
  it('takes one transaction-owned application lock per key, waiting as long as it takes', () => {
    const sql = lockKeysSql(2)
    expect(sql.match(/sp_getapplock @Resource = \?/g)).toHaveLength(2)
    expect(sql).toContain("@LockOwner = 'Transaction'")
    expect(sql).toContain('@LockTimeout = -1')
    expect(mssql.raw(sql, ['outbox:a', 'outbox:b']).toQuery()).toContain("@Resource = 'outbox:a'")
  })

  it('fails the transaction when a key lock is not granted (a deadlock victim gets -3, its transaction still open)', () => {
    const sql = lockKeysSql(3)
    expect(sql.match(/DECLARE @granted int;/g)).toHaveLength(1)
    expect(sql.match(/EXEC @granted = sp_getapplock/g)).toHaveLength(3)
    expect(sql.match(new RegExp(`IF @granted < 0 THROW ${KEY_LOCK_REFUSED},`, 'g'))).toHaveLength(3)
    expect(KEY_LOCK_REFUSED).toBeGreaterThanOrEqual(50_000) // THROW takes user error numbers only
  })

  it('stores the encoded event as varbinary(max), and finds parked rows through a filtered index', async () => {
    const statements: string[] = []
    const recorder = { schema: { alterTable: (table: string, build: (t: Knex.AlterTableBuilder) => void) => { statements.push(mssql.schema.alterTable(table, build).toString()) } }, whereNotNull: (c: string) => mssql.queryBuilder().whereNotNull(c) }
    await outboxEncoded.up(recorder as unknown as Knex)
    const sql = statements.join('\n')
    expect(sql).toContain('[value] varbinary(max)')
    expect(sql).toContain('[schema_id] int')
    expect(sql).toMatch(/CREATE INDEX \[outbox_parked\] ON \[outbox\] \(\[aggregate_id\], \[id\]\) where \[parked_at\] is not null/i)
  })

  it('turns READ_COMMITTED_SNAPSHOT on outside a transaction, once, and does nothing on PostgreSQL', async () => {
    const sent: string[] = []
    const recording = (client: string) => ({ client: { config: { client } }, raw: async (sql: string) => { sent.push(sql) } }) as unknown as Knex
    expect(readCommittedSnapshot.config.transaction).toBe(false)
    await readCommittedSnapshot.up(recording('mssql'))
    expect(sent).toHaveLength(1)
    expect(sent[0]).toMatch(/IF \(SELECT is_read_committed_snapshot_on FROM sys\.databases WHERE name = DB_NAME\(\)\) = 0\s+ALTER DATABASE CURRENT SET READ_COMMITTED_SNAPSHOT ON/)
    await readCommittedSnapshot.up(recording('pg'))
    expect(sent).toHaveLength(1)
  })

  it('takes the relay lease as a session-owned lock without waiting', () => {
    expect(LEASE_SQL).toContain("@LockOwner = 'Session'")
    expect(LEASE_SQL).toContain('@LockTimeout = 0')
  })

  it('closes a lease connection by closing its socket at once (tedious close), not by a goodbye that could wait', () => {
    let closed = 0
    mssqlDialect.destroyConnection({ close: () => { closed++ } })
    expect(closed).toBe(1)
  })

  it('claims an inbox row atomically, reporting whether it inserted it', () => {
    expect(CLAIM_INBOX_SQL).toContain('WITH (UPDLOCK, HOLDLOCK)')
    expect(CLAIM_INBOX_SQL).toContain('OUTPUT inserted.event_id')
  })

  it('builds the relay\'s reads, marks and purges with TOP instead of LIMIT', () => {
    const select = unpublishedRows(mssql, 500).toSQL().sql
    expect(select).toBe('select top (?) [id], [event_type], [topic], [aggregate_id], [value], [payload], [headers], [created_at] from [outbox]'
      + ' where [published_at] is null and [parked_at] is null and not exists (select 1 from [outbox] as [parked]'
      + ' where [parked].[aggregate_id] = [outbox].[aggregate_id] and [parked].[parked_at] is not null and [parked].[discarded_at] is null'
      + ' and [parked].[id] < [outbox].[id]) order by [id] asc')
    const purge = mssql('outbox').whereIn('id', mssql('outbox').select('id').where('published_at', '<', new Date(0)).orderBy('id').limit(100)).delete().toSQL().sql
    expect(purge).toContain('delete from [outbox]')
    expect(purge).toContain('select top (?) [id] from [outbox]')
  })
})

describe('the relay\'s id sets', () => {
  const pg = knex({ client: 'pg' })

  it('go to PostgreSQL as one array parameter, whatever the batch size', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => String(i + 1))
    const mark = postgresDialect.whereIdIn(pg('outbox'), ids).update({ published_at: pg.fn.now() }).toSQL()
    expect(mark.sql).toBe('update "outbox" set "published_at" = CURRENT_TIMESTAMP where id = ANY(?::bigint[])')
    expect(mark.bindings).toEqual([ids])
    const read = postgresDialect.whereIdNotIn(pg('outbox').select('id'), ids).toSQL()
    expect(read.sql).toBe('select "id" from "outbox" where id <> ALL(?::bigint[])')
  })

  it('go to SQL Server as one JSON parameter, also past its limit of 2,100 parameters', () => {
    const ids = Array.from({ length: 5000 }, (_, i) => String(i + 1))
    const mark = mssqlDialect.whereIdIn(mssql('outbox'), ids).update({ published_at: mssql.fn.now() }).toSQL()
    expect(mark.sql).toBe('update [outbox] set [published_at] = CURRENT_TIMESTAMP where [id] IN (SELECT CAST([value] AS bigint) FROM OPENJSON(?));select @@rowcount')
    expect(mark.bindings).toEqual([JSON.stringify(ids)])
    const read = mssqlDialect.whereIdNotIn(mssql('outbox').select('id'), ids).toSQL()
    expect(read.sql).toBe('select [id] from [outbox] where [id] NOT IN (SELECT CAST([value] AS bigint) FROM OPENJSON(?))')
    expect(read.bindings).toHaveLength(1)
  })
})
