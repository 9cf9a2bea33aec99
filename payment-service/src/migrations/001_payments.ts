// payment-service's first migration: customers and their balance, deposits, payments and each order's payment, with CHECKs guarding the money.
import type { Knex } from 'knex'

/**
 * Customers' funds and what happened to them. CHECK constraints hold the money invariants, so a
 * bug that would overdraw a balance or refund more than was charged fails its transaction.
 */
export const paymentTables: Knex.Migration = {
  async up(knex) {
    await knex.schema.createTable('customers', (t) => {
      t.string('customer_id', 64).primary()
      t.string('name', 200).notNullable()
      t.bigInteger('balance_amount').notNullable()
      t.specificType('currency', 'char(3)').notNullable()
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
      t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
      t.check('?? >= 0', ['balance_amount'], 'customers_balance_not_negative')
    })
    await knex.schema.createTable('deposits', (t) => {
      t.uuid('deposit_id').primary()
      t.string('customer_id', 64).notNullable().references('customer_id').inTable('customers')
      t.bigInteger('amount').notNullable()
      t.string('idempotency_key', 128).nullable()
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
      t.unique(['customer_id', 'idempotency_key'], { indexName: 'deposits_customer_idempotency_key' })
      t.check('?? > 0', ['amount'], 'deposits_amount_positive')
    })
    await knex.schema.createTable('payments', (t) => {
      t.uuid('payment_id').primary()
      t.string('order_id', 128).notNullable().index('payments_order_id')
      t.string('customer_id', 64).notNullable().references('customer_id').inTable('customers')
      t.string('kind', 6).notNullable()
      t.bigInteger('amount').notNullable()
      t.specificType('currency', 'char(3)').notNullable()
      t.string('reason', 200).notNullable()
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
      t.check("?? in ('CHARGE', 'REFUND')", ['kind'], 'payments_kind')
      t.check('?? >= 0', ['amount'], 'payments_amount_not_negative')
    })
    await knex.schema.createTable('order_payments', (t) => {
      t.string('order_id', 128).primary()
      // No foreign key: a payment that failed for an unknown customer is recorded too.
      t.string('customer_id', 255).notNullable()
      t.specificType('currency', 'char(3)').notNullable()
      t.string('state', 7).notNullable()
      t.bigInteger('charged').notNullable().defaultTo(0)
      t.bigInteger('refunded').notNullable().defaultTo(0)
      t.uuid('first_payment_id').nullable().references('payment_id').inTable('payments')
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
      t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
      t.check("?? in ('OPEN', 'FAILED', 'SETTLED')", ['state'], 'order_payments_state')
      t.check('?? >= 0 and ?? >= 0 and ?? <= ??', ['charged', 'refunded', 'refunded', 'charged'], 'order_payments_refunded_within_charged')
    })
  },
  async down(knex) {
    await knex.schema.dropTable('order_payments')
    await knex.schema.dropTable('payments')
    await knex.schema.dropTable('deposits')
    await knex.schema.dropTable('customers')
  },
}
