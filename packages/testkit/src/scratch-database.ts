// Scratch PostgreSQL databases made and dropped on a server, without vitest: tests (database.ts) and scripts (bench) share it.
import knex, { type Knex } from 'knex'

export interface ScratchDatabase {
  name: string
  url: string
  db: Knex
  /** Closes the pool and drops the database, with any connection still open to it. */
  drop(): Promise<void>
}

/** The URL of database `name` on the server `serverUrl` names (any database of it). */
export function databaseUrl(serverUrl: string, name: string): string {
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return url.toString()
}

async function asAdmin(serverUrl: string, statement: string): Promise<void> {
  const admin = knex({ client: 'pg', connection: serverUrl, pool: { min: 0, max: 1 } })
  try {
    await admin.raw(statement)
  } finally {
    await admin.destroy()
  }
}

/** Drops database `name` if it exists, closing the connections still open to it. */
export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  await asAdmin(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
}

/** A new, empty database `name` on the server of `serverUrl` (a URL with the right to create databases), and a pool of `poolMax` on it. */
export async function createScratchDatabase(serverUrl: string, name: string, poolMax: number): Promise<ScratchDatabase> {
  await asAdmin(serverUrl, `CREATE DATABASE "${name}"`)
  const url = databaseUrl(serverUrl, name)
  const db = knex({ client: 'pg', connection: url, pool: { min: 0, max: poolMax } })
  return {
    name, url, db,
    async drop() {
      await db.destroy()
      await dropDatabase(serverUrl, name)
    },
  }
}
