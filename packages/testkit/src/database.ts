import { randomBytes } from 'node:crypto'
import knex, { type Knex } from 'knex'
import { infra } from './infra.ts'

export function uniqueName(label: string): string {
  return `t_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase().slice(0, 30)}_${randomBytes(4).toString('hex')}`
}

export interface TestDatabase {
  url: string
  db: Knex
  /** Closes the pool and drops the database. */
  drop(): Promise<void>
}

/** A PostgreSQL database of this test's own, dropped afterwards. */
export async function createTestDatabase(label: string, poolMax = 5): Promise<TestDatabase> {
  const name = uniqueName(label)
  const admin = knex({ client: 'pg', connection: infra().postgresUrl, pool: { min: 0, max: 1 } })
  await admin.raw(`CREATE DATABASE "${name}"`)
  await admin.destroy()
  const url = new URL(infra().postgresUrl)
  url.pathname = `/${name}`
  const db = knex({ client: 'pg', connection: url.toString(), pool: { min: 0, max: poolMax } })
  return {
    url: url.toString(),
    db,
    async drop() {
      await db.destroy()
      const admin2 = knex({ client: 'pg', connection: infra().postgresUrl, pool: { min: 0, max: 1 } })
      await admin2.raw(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
      await admin2.destroy()
    },
  }
}
