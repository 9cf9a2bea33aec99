// payment-service's migrations in the order they apply, messaging's outbox and inbox tables first, named as knex_migrations records them.
import type { Knex } from 'knex'
import { messagingMigrations } from '@choreo/messaging'
import { paymentTables } from './001_payments.ts'
import { orderPaymentsShipped } from './002_order_payments_shipped.ts'
import { orderFacts } from './003_order_facts.ts'
import { modificationAnswers } from './004_modification_answers.ts'

/** In order of application; names are recorded in knex_migrations. */
export const migrations: Record<string, Knex.Migration> = {
  ...messagingMigrations,
  '001_payments': paymentTables,
  '002_order_payments_shipped': orderPaymentsShipped,
  '003_order_facts': orderFacts,
  '004_modification_answers': modificationAnswers,
}
