// The `db` plugin: the service's connection pool, migrated at start when MIGRATE_ON_START says so, closed last.
import fp from 'fastify-plugin'
import type { Knex } from 'knex'
import { databaseSessionOf, type DatabaseSessionConfig } from '../config.ts'
import { createDb } from '../db.ts'
import { migrate } from '../migrate.ts'

export interface DatabaseConfig extends DatabaseSessionConfig {
  DATABASE_CLIENT: 'pg' | 'mssql'
  DATABASE_URL: string
  DATABASE_POOL_MAX: number
  MIGRATE_ON_START: boolean
}

export interface DatabasePluginOptions {
  config: DatabaseConfig
  migrations: Record<string, Knex.Migration>
}

declare module 'fastify' {
  interface FastifyInstance {
    db: Knex
  }
}

/**
 * Opens the pool as `app.db` and runs the migrations. Its onClose hook is the first one added, and
 * Fastify runs onClose hooks last-added first, so the pool closes after everything that uses it.
 */
export const databasePlugin = fp<DatabasePluginOptions>(async (app, { config, migrations }) => {
  const db = createDb({ client: config.DATABASE_CLIENT, url: config.DATABASE_URL, poolMax: config.DATABASE_POOL_MAX, ...databaseSessionOf(config) })
  if (config.MIGRATE_ON_START) await migrate(db, migrations)
  app.decorate('db', db)
  app.addHook('onClose', async () => { await db.destroy() })
}, { name: 'db', fastify: '5.x' })
