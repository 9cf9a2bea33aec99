import knex, { type Knex } from 'knex'

export interface DbOptions {
  client: 'pg' | 'mssql'
  url: string
  poolMax: number
}

/**
 * A knex instance for PostgreSQL (`postgres://…`) or SQL Server (`mssql://user:pass@host:port/db`,
 * through tedious). The pool keeps one connection spare for the relay, which holds one.
 */
export function createDb({ client, url, poolMax }: DbOptions): Knex {
  return knex({
    client,
    connection: client === 'mssql' ? mssqlConnection(url) : { connectionString: url },
    pool: { min: 0, max: poolMax },
    acquireConnectionTimeout: 10_000,
  })
}

function mssqlConnection(url: string): Knex.MsSqlConnectionConfig {
  const u = new URL(url)
  return {
    server: u.hostname,
    port: Number(u.port || 1433),
    userName: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: u.pathname.replace(/^\//, ''),
    options: {
      encrypt: u.searchParams.get('encrypt') !== 'false',
      trustServerCertificate: u.searchParams.get('trustServerCertificate') === 'true',
    },
  }
}

/** Whether the database answers a trivial query. */
export async function databaseReachable(db: Knex): Promise<boolean> {
  try {
    await db.raw('SELECT 1 AS ok')
    return true
  } catch {
    return false
  }
}
