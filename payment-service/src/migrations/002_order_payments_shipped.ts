// Adds when an order shipped to order_payments, so that no release refunds an order that has shipped.
import type { Knex } from 'knex'

/**
 * When stock-service shipped the order (its OrderShipped), so that no release refunds it after.
 * Nullable and only added: an older instance still runs on the table (rolling upgrades).
 */
export const orderPaymentsShipped: Knex.Migration = {
  async up(knex) {
    await knex.schema.alterTable('order_payments', (t) => {
      t.timestamp('shipped_at', { useTz: true }).nullable()
    })
  },
  async down(knex) {
    await knex.schema.alterTable('order_payments', (t) => {
      t.dropColumn('shipped_at')
    })
  },
}
