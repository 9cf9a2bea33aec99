// stock-service's first migration: products and their stock, each order's reservation with its priced lines, and shipments.
import type { Knex } from 'knex'

/**
 * Products with their stock split into available and reserved (on hand = the sum), the
 * reservation of each order with its priced lines, and the shipment that ends it.
 */
export const stockTables: Knex.Migration = {
  async up(knex) {
    await knex.schema.createTable('products', (t) => {
      t.string('product_id', 64).primary()
      t.string('name', 200).notNullable()
      t.bigInteger('price_amount').notNullable()
      t.specificType('price_currency', 'char(3)').notNullable()
      t.integer('available').notNullable()
      t.integer('reserved').notNullable().defaultTo(0)
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
      t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
      t.check('price_amount > 0', [], 'products_price_positive')
      t.check('available >= 0', [], 'products_available_non_negative')
      t.check('reserved >= 0', [], 'products_reserved_non_negative')
    })
    await knex.schema.createTable('reservations', (t) => {
      t.string('order_id', 64).primary()
      t.string('customer_id', 128).notNullable()
      t.string('status', 16).notNullable()
      t.specificType('currency', 'char(3)').notNullable()
      t.bigInteger('total_amount').notNullable()
      t.bigInteger('paid_amount').notNullable().defaultTo(0)
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
      t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
      t.check("status IN ('RESERVED', 'SHIPPED', 'RELEASED')", [], 'reservations_status')
      t.check('total_amount >= 0', [], 'reservations_total_non_negative')
    })
    await knex.schema.createTable('reservation_lines', (t) => {
      t.string('order_id', 64).notNullable().references('order_id').inTable('reservations').onDelete('CASCADE')
      t.string('product_id', 64).notNullable().references('product_id').inTable('products')
      t.integer('quantity').notNullable()
      t.bigInteger('unit_price_amount').notNullable()
      t.primary(['order_id', 'product_id'])
      t.check('quantity > 0', [], 'reservation_lines_quantity_positive')
    })
    await knex.schema.createTable('shipments', (t) => {
      t.uuid('shipment_id').primary()
      t.string('order_id', 64).notNullable().unique().references('order_id').inTable('reservations')
      t.string('carrier', 32).notNullable()
      t.string('tracking_number', 64).notNullable().unique()
      t.string('status', 16).notNullable()
      t.timestamp('shipped_at', { useTz: true }).notNullable()
      t.timestamp('delivered_at', { useTz: true }).nullable()
      t.check("status IN ('SHIPPED', 'DELIVERED')", [], 'shipments_status')
    })
  },
  async down(knex) {
    await knex.schema.dropTable('shipments')
    await knex.schema.dropTable('reservation_lines')
    await knex.schema.dropTable('reservations')
    await knex.schema.dropTable('products')
  },
}
