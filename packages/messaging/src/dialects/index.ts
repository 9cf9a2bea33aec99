// Picks a knex instance's dialect (PostgreSQL or SQL Server) from its client: the rest of the package asks the dialect, not the client.
import type { Knex } from 'knex'
import type { Dialect } from './dialect.ts'
import { mssqlDialect } from './mssql.ts'
import { postgresDialect } from './postgres.ts'

export type { Dialect, HeldConnection, InboxRow } from './dialect.ts'

/** The dialect of a knex instance, from its configured client. */
export function dialectOf(db: Knex): Dialect {
  const client = String((db.client as { config: { client: unknown } }).config.client)
  if (client === 'pg' || client === 'postgres' || client === 'postgresql') return postgresDialect
  if (client === 'mssql') return mssqlDialect
  throw new Error(`unsupported database client '${client}': use pg or mssql`)
}
