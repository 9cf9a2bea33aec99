import type { Knex } from 'knex'

/**
 * Runs migrations given as an ordered record of name → migration, so a service lists them in
 * code (no directory scanning, no build step).
 */
export async function migrate(db: Knex, migrations: Record<string, Knex.Migration>): Promise<string[]> {
  const source: Knex.MigrationSource<string> = {
    getMigrations: async () => Object.keys(migrations),
    getMigrationName: (name) => name,
    getMigration: async (name) => migrations[name] as Knex.Migration,
  }
  const [, applied] = (await db.migrate.latest({ migrationSource: source })) as [number, string[]]
  return applied
}
