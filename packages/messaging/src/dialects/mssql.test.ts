import knex from 'knex'
import { describe, expect, it } from 'vitest'
import { CLAIM_INBOX_SQL, LEASE_SQL, lockKeysSql, mssqlDialect } from './mssql.ts'
import { postgresDialect } from './postgres.ts'

// SQL Server cannot run on every machine; the SQL the dialect sends is checked everywhere.
const mssql = knex({ client: 'mssql' })

describe('SQL Server dialect', () => {
  it('takes one transaction-owned application lock per key, waiting as long as it takes', () => {
    const sql = lockKeysSql(2)
    expect(sql.match(/sp_getapplock/g)).toHaveLength(2)
    expect(sql).toContain("@LockOwner = 'Transaction'")
    expect(sql).toContain('@LockTimeout = -1')
    expect(mssql.raw(sql, ['outbox:a', 'outbox:b']).toQuery()).toContain("@Resource = 'outbox:a'")
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
    const select = mssql('outbox').select('id').whereNull('published_at').orderBy('id').limit(500).toSQL().sql
    expect(select).toBe('select top (?) [id] from [outbox] where [published_at] is null order by [id] asc')
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

  it('go to SQL Server as one parameter per id (its limit is 2,100; batches are 1,000)', () => {
    const mark = mssqlDialect.whereIdIn(mssql('outbox'), ['1', '2']).update({ published_at: mssql.fn.now() }).toSQL()
    expect(mark.sql).toContain('where [id] in (?, ?)')
    expect(mssqlDialect.whereIdNotIn(mssql('outbox').select('id'), ['1', '2']).toSQL().sql).toContain('where [id] not in (?, ?)')
  })
})
