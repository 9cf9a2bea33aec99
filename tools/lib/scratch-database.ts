// replay --read-model's scratch database: its default URL, and the name check before platform's openOrCreateDatabase makes it.
import type { Knex } from 'knex'
import { openOrCreateDatabase } from '@choreo/platform'

/** The read-model rebuild's database on the local stack; --into names another. */
export const DEFAULT_SCRATCH_URL = 'postgres://postgres@127.0.0.1:5432/choreo_read_model'
const POOL_MAX = 4

/** Opens a PostgreSQL database, creating it first if the server has none of that name. */
export async function openScratch(url: string): Promise<Knex> {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''))
  if (!/^[\w-]+$/.test(name)) throw new Error(`--into: '${name}' is not a database name this command creates (letters, digits, _ and -)`)
  return openOrCreateDatabase(url, POOL_MAX)
}
