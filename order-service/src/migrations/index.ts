// order-service's migrations in the order they apply, messaging's outbox and inbox tables first, named as knex_migrations records them.
import type { Knex } from 'knex'
import { messagingMigrations } from '@choreo/messaging'
import { ordersTables } from './001_orders.ts'
import { modificationsTable } from './002_modifications.ts'
import { ordersCreatedIndex } from './003_orders_created_index.ts'

/** In order of application; names are recorded in knex_migrations. */
export const migrations: Record<string, Knex.Migration> = {
  ...messagingMigrations,
  '001_orders': ordersTables,
  '002_modifications': modificationsTable,
  '003_orders_created_index': ordersCreatedIndex,
}
