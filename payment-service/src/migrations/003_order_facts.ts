// Adds the facts payment-service keeps from order.events, orders placed and modifications asked for, which money moves only against.
import type { Knex } from 'knex'

/**
 * What order-service said of each order, as payment's facts consumer read it from order.events:
 * a charge or an adjustment is made only for what is recorded here (steps/charge-order.ts).
 * Only added: an older instance runs on beside them during a rolling upgrade.
 */
export const orderFacts: Knex.Migration = {
  async up(knex) {
    await knex.schema.createTable('placed_orders', (t) => {
      t.string('order_id', 255).primary()
      t.string('customer_id', 255).notNullable()
      t.string('currency', 16).notNullable()
      // The order's lines, one per product in product order, as JSON (order-lines.ts).
      t.text('items').notNullable()
      t.timestamp('recorded_at', { useTz: true }).notNullable()
    })
    await knex.schema.createTable('requested_modifications', (t) => {
      t.string('modification_id', 255).primary()
      t.string('order_id', 255).notNullable()
      t.text('items').notNullable()
      t.timestamp('recorded_at', { useTz: true }).notNullable()
    })
  },
  async down(knex) {
    await knex.schema.dropTable('requested_modifications')
    await knex.schema.dropTable('placed_orders')
  },
}
