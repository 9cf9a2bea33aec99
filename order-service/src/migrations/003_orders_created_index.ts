// Indexes orders by when they were placed, so the newest orders (the explorer's list, its stuck marks) are read from an index, not a sort of the whole table.
import type { Knex } from 'knex'

/** Only added: an older instance runs on beside it (rolling upgrades), and never asks for it. */
export const ordersCreatedIndex: Knex.Migration = {
  async up(knex) {
    await knex.schema.alterTable('orders', (t) => { t.index(['created_at', 'order_id'], 'orders_created') })
  },
  async down(knex) {
    await knex.schema.alterTable('orders', (t) => { t.dropIndex(['created_at', 'order_id'], 'orders_created') })
  },
}
