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
  },
  async down(knex) {
    await knex.schema.dropTable('order_modifications')
  },
}
