// order-service's first migration: orders, their lines, their history and the idempotency keys of POST /orders and cancel.
import type { Knex } from 'knex'

// Written with knex's schema builder only, so it runs on PostgreSQL and SQL Server alike.
// Timestamps keep milliseconds: the paging cursor carries created_at as a JS Date.
const MS = { useTz: true, precision: 3 } as const

export const ordersTables: Knex.Migration = {
  async up(knex) {
    await knex.schema.createTable('orders', (t) => {
      t.string('order_id', 36).primary()
      t.string('customer_id', 64).notNullable()
      t.string('status', 20).notNullable()
      t.specificType('currency', 'char(3)').notNullable()
      t.bigInteger('total_amount').nullable()
      t.text('shipping_address').notNullable()
      t.string('carrier', 255).nullable()
      t.string('tracking_number', 255).nullable()
      t.string('shipment_id', 255).nullable()
      t.string('reason', 500).nullable()
      t.text('short_lines').nullable()
      t.string('pending_modification_id', 36).nullable()
      t.timestamp('created_at', MS).notNullable()
      t.timestamp('updated_at', MS).notNullable()
      t.index(['customer_id', 'created_at'], 'orders_customer_created')
      t.index(['status'], 'orders_status')
    })
    await knex.schema.createTable('order_lines', (t) => {
      t.string('order_id', 36).notNullable().references('order_id').inTable('orders')
      t.string('product_id', 64).notNullable()
      t.integer('quantity').notNullable()
      t.bigInteger('unit_price_amount').nullable()
      t.primary(['order_id', 'product_id'])
    })
    await knex.schema.createTable('order_history', (t) => {
      t.bigIncrements('id').primary()
      t.string('order_id', 36).notNullable().references('order_id').inTable('orders')
      t.string('status', 20).notNullable()
      t.string('event', 64).notNullable()
      t.string('event_id', 36).nullable()
      t.string('reason', 500).nullable()
      t.timestamp('at', MS).notNullable()
      t.index(['order_id', 'id'], 'order_history_order')
    })
    await knex.schema.createTable('idempotency_keys', (t) => {
      t.string('key', 128).primary()
      t.specificType('request_hash', 'char(64)').notNullable()
      t.string('order_id', 36).notNullable()
      t.timestamp('created_at', MS).notNullable()
    })
  },
  async down(knex) {
    await knex.schema.dropTable('idempotency_keys')
    await knex.schema.dropTable('order_history')
    await knex.schema.dropTable('order_lines')
    await knex.schema.dropTable('orders')
  },
}
