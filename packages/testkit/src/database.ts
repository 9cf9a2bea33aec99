// Databases of a test's own on the stack under test (infra()), uniquely named.
import { randomBytes } from 'node:crypto'
import type { Knex } from 'knex'
import { infra } from './infra.ts'
import { createScratchDatabase } from '@choreo/platform'

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
  return createScratchDatabase(infra().postgresUrl, uniqueName(label), poolMax)
}
