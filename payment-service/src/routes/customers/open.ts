// POST /customers' command: opens a customer account with its opening balance.
import { randomUUID } from 'node:crypto'
import type { Knex } from 'knex'
import { Conflict } from '@choreo/platform'
import { insertCustomer, type Customer } from '../../repositories/customers.ts'
import type { NewCustomer } from './schemas.ts'

/** Opens the account (a new id unless one is given); an id taken already is a 409. */
export async function openAccount(db: Knex, input: NewCustomer): Promise<Customer> {
  const customer = { ...input, customerId: input.customerId ?? randomUUID() }
  if (!(await insertCustomer(db, customer))) throw new Conflict(`customer ${customer.customerId} exists`, 'customer-exists')
  return customer
}
