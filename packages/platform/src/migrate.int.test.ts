import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Knex } from 'knex'
import { createTestDatabase, type TestDatabase } from '@choreo/testkit'
import { migrate } from './migrate.ts'

const table = (name: string): Knex.Migration => ({
  up: (knex) => knex.schema.createTable(name, (t) => { t.increments('id') }),
  down: (knex) => knex.schema.dropTable(name),
})

describe('migrations in a rolling upgrade', () => {
  let database: TestDatabase
  beforeEach(async () => { database = await createTestDatabase('migrate', 2) })
  afterEach(async () => { await database.drop() })

  it('lets an older build start on a database a newer build migrated further, changing nothing', async () => {
    const older = { '001_orders': table('orders') }
    const newer = { ...older, '002_notes': table('notes') }
    expect(await migrate(database.db, newer)).toEqual(['001_orders', '002_notes'])
    // The older instance restarts after the newer one migrated: it runs, and migrates nothing.
    expect(await migrate(database.db, older)).toEqual([])
    expect((await database.db('knex_migrations').select('name').orderBy('id')).map((r) => r.name)).toEqual(['001_orders', '002_notes'])
    expect(await database.db.schema.hasTable('notes')).toBe(true)
  })
})
