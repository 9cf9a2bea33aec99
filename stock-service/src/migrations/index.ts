// stock-service's migrations in the order they apply, messaging's outbox and inbox tables first, named as knex_migrations records them.
import type { Knex } from 'knex'
import { messagingMigrations } from '@choreo/messaging'
import { stockTables } from './001_stock.ts'
import { restockTable } from './002_restocks.ts'
import { fulfilmentColumns } from './003_fulfilment.ts'
import { pendingRaises } from './004_pending_raises.ts'

/** In order of application; names are recorded in knex_migrations. */
export const migrations: Record<string, Knex.Migration> = {
  ...messagingMigrations,
  '001_stock': stockTables,
  '002_restocks': restockTable,
  '003_fulfilment': fulfilmentColumns,
  '004_pending_raises': pendingRaises,
}
