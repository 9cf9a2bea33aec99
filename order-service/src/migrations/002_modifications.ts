// Adds order_modifications, every modification order-service asked stock for, so that stock's undo is taken only for one of them.
import type { Knex } from 'knex'

/**
 * Every modification order-service asked stock for, by id: stock's answer that undoes one
 * ("payment declined") is taken only for a modification of that order asked for here. Only
 * added: an older instance runs on beside it (rolling upgrades).
 */
export const modificationsTable: Knex.Migration = {
  async up(knex) {
    await knex.schema.createTable('order_modifications', (t) => {
      t.string('modification_id', 36).primary()
      t.string('order_id', 36).notNullable().references('order_id').inTable('orders')
      t.timestamp('requested_at', { useTz: true }).notNullable()
    })
    // The modifications pending when this runs were asked for before it: they count as asked for.
    // (Plain SQL, the same on PostgreSQL and SQL Server.)
    await knex.raw('INSERT INTO order_modifications (modification_id, order_id, requested_at) '
      + 'SELECT pending_modification_id, order_id, updated_at FROM orders WHERE pending_modification_id IS NOT NULL')
  },
  async down(knex) {
    await knex.schema.dropTable('order_modifications')
  },
}
