// Runs a service's migrations as listed in code, also where a newer build applied more of them (rolling upgrades).
import type { Knex } from 'knex'

/**
 * Runs migrations given as an ordered record of name → migration, so a service lists them in
 * code (no directory scanning, no build step).
 *
 * A database may hold migrations this build does not list: during a rolling upgrade an older
 * instance (re)starts after a newer one migrated. knex refuses that by default ("the migration
 * directory is corrupt"); it must run, so the check is off. That is safe because migrations only
 * add what older code can ignore (nullable columns, tables, indexes): README, delivery guarantees.
 */
export async function migrate(db: Knex, migrations: Record<string, Knex.Migration>): Promise<string[]> {
  const source: Knex.MigrationSource<string> = {
    getMigrations: async () => Object.keys(migrations),
    getMigrationName: (name) => name,
    getMigration: async (name) => migrations[name] as Knex.Migration,
  }
  const [, applied] = (await db.migrate.latest({ migrationSource: source, disableMigrationsListValidation: true })) as [number, string[]]
  return applied
}
