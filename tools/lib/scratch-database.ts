import type { Knex } from 'knex'
import { createDb } from '@choreo/platform'

/** The read-model rebuild's database on the local stack; --into names another. */
export const DEFAULT_SCRATCH_URL = 'postgres://postgres@127.0.0.1:5432/choreo_read_model'
const POOL_MAX = 4

/** Opens a PostgreSQL database, creating it first if the server has none of that name. */
export async function openScratch(url: string): Promise<Knex> {
  const target = new URL(url)
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''))
  if (!/^[\w-]+$/.test(name)) throw new Error(`--into: '${name}' is not a database name this command creates (letters, digits, _ and -)`)
  const server = new URL(url)
  server.pathname = '/postgres'
  const admin = createDb({ client: 'pg', url: server.toString(), poolMax: 1 })
  try {
    const exists = await admin('pg_database').first('datname').where({ datname: name })
    if (!exists) await admin.raw(`CREATE DATABASE "${name}"`)
  } finally {
    await admin.destroy()
  }
  return createDb({ client: 'pg', url, poolMax: POOL_MAX })
}
