// Customers and their balance, the funds orders are charged from.
import type { Knex } from 'knex'
import { moneyOf, type Money } from '@choreo/contracts'

export interface Customer {
  customerId: string
  name: string
  balance: Money
}

interface CustomerRow {
  customer_id: string
  name: string
  balance_amount: string
  currency: string
}

const COLUMNS = ['customer_id', 'name', 'balance_amount', 'currency'] as const

function fromRow(row: CustomerRow): Customer {
  return { customerId: row.customer_id, name: row.name, balance: moneyOf(row.balance_amount, row.currency) }
}

/** Inserts a customer; false when the id is taken. */
export async function insertCustomer(db: Knex | Knex.Transaction, customer: Customer): Promise<boolean> {
  const inserted = await db('customers')
    .insert({ customer_id: customer.customerId, name: customer.name, balance_amount: customer.balance.amount, currency: customer.balance.currency })
    .onConflict('customer_id').ignore()
    .returning('customer_id')
  return inserted.length === 1
}

export async function findCustomer(db: Knex | Knex.Transaction, customerId: string): Promise<Customer | undefined> {
  const row = await db<CustomerRow>('customers').select(...COLUMNS).where({ customer_id: customerId }).first()
  return row ? fromRow(row) : undefined
}

/** Takes money from a balance only if the balance covers it; false (and nothing changed) otherwise. */
export async function debitBalance(db: Knex | Knex.Transaction, customerId: string, amount: Money): Promise<boolean> {
  const updated = await db('customers')
    .where({ customer_id: customerId, currency: amount.currency })
    .andWhere('balance_amount', '>=', amount.amount)
    .update({ balance_amount: db.raw('?? - ?', ['balance_amount', amount.amount]), updated_at: db.fn.now() })
  return updated === 1
}

/** Adds money to a balance; returns the new balance. Throws if no customer holds that currency: a caller's bug. */
export async function creditBalance(db: Knex | Knex.Transaction, customerId: string, amount: Money): Promise<Money> {
  const [row] = await db('customers')
    .where({ customer_id: customerId, currency: amount.currency })
    .update({ balance_amount: db.raw('?? + ?', ['balance_amount', amount.amount]), updated_at: db.fn.now() })
    .returning(['balance_amount', 'currency']) as Pick<CustomerRow, 'balance_amount' | 'currency'>[]
  if (!row) throw new Error(`no customer ${customerId} with a balance in ${amount.currency} to credit`)
  return moneyOf(row.balance_amount, row.currency)
}
