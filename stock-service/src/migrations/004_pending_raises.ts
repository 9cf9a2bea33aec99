// Adds pending_raises: a modification that raised a total, with the lines to go back to and the units held until payment answers.
import type { Knex } from 'knex'

/**
 * A modification that raised an order's total, until payment answers it: the lines before it (to
 * go back to if the customer cannot pay) and the units it freed, still held meanwhile, so that the
 * order can have them back. A table of its own: an older instance runs on beside it.
 */
export const pendingRaises: Knex.Migration = {
  async up(knex) {
    await knex.schema.createTable('pending_raises', (t) => {
      t.string('order_id', 64).primary().references('order_id').inTable('reservations').onDelete('CASCADE')
      t.string('modification_id', 255).notNullable()
      // [{ productId, quantity, unitPrice }] before the modification, and its total.
      t.text('previous_lines').notNullable()
      t.bigInteger('previous_total_amount').notNullable()
      // [{ productId, quantity }]: units the modification dropped, held until payment answers.
      t.text('held').notNullable()
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
    })
  },
  async down(knex) {
    await knex.schema.dropTable('pending_raises')
  },
}
