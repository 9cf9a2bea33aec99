import { randomUUID } from 'node:crypto'
import { Type } from 'typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import {
  ErrorBody, IdempotencyKeyHeaders, idempotencyKeyOf, idempotencyKeyReused, NotFound,
} from '@choreo/platform'
import { moneyOf } from '../../money.ts'
import { creditBalance, findCustomer } from '../../repositories/customers.ts'
import { findDepositByKey, insertDeposit } from '../../repositories/deposits.ts'
import { CustomerId, CustomerParams, MAX_REQUEST_AMOUNT, Money } from '../schemas.ts'

const NewDeposit = Type.Object({ amount: Type.Integer({ minimum: 1, maximum: MAX_REQUEST_AMOUNT }) }, { additionalProperties: false })

const DepositBody = Type.Object({
  depositId: Type.String({ format: 'uuid', maxLength: 36 }),
  customerId: CustomerId,
  amount: Money,
  balance: Money,
}, { additionalProperties: false })

/**
 * Deposits into a customer's balance, made safe to retry by an idempotency key. Only the back
 * office (the admin role) credits an account: money comes from outside the system (a transfer
 * received, a goodwill credit), and no customer can raise their own balance by asking. A
 * customer sees their balance and its history (customers routes).
 */
export const depositRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/customers/:customerId/deposits', {
    config: { access: 'admin' },
    schema: {
      summary: 'Credit money to a customer balance (the back office: admin role)',
      params: CustomerParams,
      headers: IdempotencyKeyHeaders,
      body: NewDeposit,
      response: { 201: DepositBody, 400: ErrorBody, 403: ErrorBody, 404: ErrorBody, 422: ErrorBody },
    },
  }, async (request, reply) => {
    const key = idempotencyKeyOf(request.headers)
    const { customerId } = request.params
    const { amount } = request.body
    const result = await app.db.transaction(async (trx) => {
      const customer = await findCustomer(trx, customerId)
      if (!customer) throw new NotFound('customer', customerId, 'customerId')
      const { currency } = customer.balance
      const deposit = { depositId: randomUUID(), customerId, amount, idempotencyKey: key }
      if (await insertDeposit(trx, deposit)) {
        return { deposit, balance: await creditBalance(trx, customerId, moneyOf(amount, currency)) }
      }
      // The key was used before (perhaps by a concurrent request that just committed): replay it.
      const earlier = await findDepositByKey(trx, customerId, key)
      if (!earlier) throw new Error(`deposit with key ${key} vanished`)
      if (earlier.amount !== amount) {
        throw idempotencyKeyReused(key, `a deposit of ${earlier.amount}`)
      }
      const current = await findCustomer(trx, customerId)
      return { deposit: earlier, balance: current?.balance ?? customer.balance }
    })
    const { deposit, balance } = result
    return reply.status(201).send({ depositId: deposit.depositId, customerId, amount: moneyOf(deposit.amount, balance.currency), balance })
  })
}
