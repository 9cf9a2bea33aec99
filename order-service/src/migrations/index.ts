import type { Knex } from 'knex'
import { messagingTables } from '@choreo/messaging'
import { ordersTables } from './001_orders.ts'

/** In order of application; names are recorded in knex_migrations. */
export const migrations: Record<string, Knex.Migration> = {
  '000_messaging': messagingTables,
  '001_orders': ordersTables,
}
