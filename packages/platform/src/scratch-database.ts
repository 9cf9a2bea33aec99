// Scratch PostgreSQL databases made, opened and dropped on a server: the one way tests, benchmarks, chaos runs and ./choreo replay do it.
import type { Knex } from 'knex'
import { createDb } from './db.ts'

export interface ScratchOptions {
  /** Where knex's own warnings go (knex prints them on stdout otherwise). */
  log?: (message: string) => void
}

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

/** A pool of `poolMax` connections on the database of `url`. */
function open(url: string, poolMax: number, { log }: ScratchOptions): Knex {
  return createDb({ client: 'pg', url, poolMax, ...(log ? { log } : {}) })
}

/** Runs `work` on one connection to the server of `serverUrl`, closed after. */
async function asAdmin<T>(serverUrl: string, options: ScratchOptions, work: (admin: Knex) => Promise<T>): Promise<T> {
  const admin = open(serverUrl, 1, options)
  try {
    return await work(admin)
  } finally {
    await admin.destroy()
  }
}

/** Creates each database of `names` (empty) on the server of `serverUrl`, a URL with the right to create databases. */
export async function createDatabases(serverUrl: string, names: readonly string[], options: ScratchOptions = {}): Promise<void> {
  await asAdmin(serverUrl, options, async (admin) => {
    for (const name of names) await admin.raw(`CREATE DATABASE "${name}"`)
  })
}

/** Drops each database of `names` that exists, closing the connections still open to it. */
export async function dropDatabases(serverUrl: string, names: readonly string[], options: ScratchOptions = {}): Promise<void> {
  await asAdmin(serverUrl, options, async (admin) => {
    for (const name of names) await admin.raw(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
  })
}

/** A new, empty database `name` on the server of `serverUrl`, and a pool of `poolMax` on it. */
export async function createScratchDatabase(serverUrl: string, name: string, poolMax: number, options: ScratchOptions = {}): Promise<ScratchDatabase> {
  await createDatabases(serverUrl, [name], options)
  const url = databaseUrl(serverUrl, name)
  const db = open(url, poolMax, options)
  return {
    name, url, db,
    async drop() {
      await db.destroy()
      await dropDatabases(serverUrl, [name], options)
    },
  }
}

/** A pool of `poolMax` on the database of `url`, created first (through the server's `postgres` database) if the server has none of that name. */
export async function openOrCreateDatabase(url: string, poolMax: number, options: ScratchOptions = {}): Promise<Knex> {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''))
  await asAdmin(databaseUrl(url, 'postgres'), options, async (admin) => {
    const exists = await admin('pg_database').first('datname').where({ datname: name })
    if (!exists) await admin.raw(`CREATE DATABASE "${name}"`)
  })
  return open(url, poolMax, options)
}
