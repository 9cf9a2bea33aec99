// POST /customers/:customerId/deposits' command: credits a customer's balance once per idempotency key.
import { randomUUID } from 'node:crypto'
import type { Knex } from 'knex'
import { moneyOf, type Money } from '@choreo/contracts'
import { NotFound, onceByKey } from '@choreo/platform'
import { creditBalance, findCustomer } from '../../repositories/customers.ts'
import { findDepositByKey, insertDeposit, type Deposit } from '../../repositories/deposits.ts'

export interface DepositMade {
  deposit: Deposit
  /** The balance after the deposit; for a retry, as it is now. */
  balance: Money
}

/**
 * Credits `amount` (minor units, in the balance's currency) to the customer. A retry with the key
 * (the customer's own scope) gets the deposit it made and the balance as it is now, and credits
 * nothing; the key with another amount is refused (422).
 */
export async function deposit(db: Knex, request: { key: string; customerId: string; amount: number }): Promise<DepositMade> {
  const { key, customerId, amount } = request
  return onceByKey<Deposit, DepositMade>({
    key,
    run: () => db.transaction(async (trx) => {
      const customer = await findCustomer(trx, customerId)
      if (!customer) throw new NotFound('customer', customerId, 'customerId')
      const made = { depositId: randomUUID(), customerId, amount, idempotencyKey: key }
      await insertDeposit(trx, made)
      return { deposit: made, balance: await creditBalance(trx, customerId, moneyOf(amount, customer.balance.currency)) }
    }),
    earlier: () => findDepositByKey(db, customerId, key),
    sameRequest: (earlier) => earlier.amount === amount,
    usedFor: (earlier) => `a deposit of ${earlier.amount}`,
    replay: async (earlier) => {
      const customer = await findCustomer(db, customerId)
      if (!customer) throw new NotFound('customer', customerId, 'customerId')
      return { deposit: earlier, balance: customer.balance }
    },
  })
}
