// Adds restocks, each with its Idempotency-Key, so that a retried restock does not add its units twice.
import type { Knex } from 'knex'

/**
 * Every restock, with the Idempotency-Key it came with: a retried restock is found by its key
 * and answered without adding the units twice. Also the record of what was put in, and when.
 */
export const restockTable: Knex.Migration = {
  async up(knex) {
    await knex.schema.createTable('restocks', (t) => {
      t.uuid('restock_id').primary()
      t.string('idempotency_key', 128).notNullable().unique({ indexName: 'restocks_idempotency_key' })
      t.string('product_id', 64).notNullable().references('product_id').inTable('products')
      t.integer('quantity').notNullable()
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
      t.check('quantity > 0', [], 'restocks_quantity_positive')
    })
  },
  async down(knex) {
    await knex.schema.dropTable('restocks')
  },
}
