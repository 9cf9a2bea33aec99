import { randomUUID } from 'node:crypto'
import { Type } from 'typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { NotFound, Unprocessable } from '@choreo/platform'
import { moneyOf } from '../../money.ts'
import { creditBalance, findCustomer } from '../../repositories/customers.ts'
import { findDepositByKey, insertDeposit } from '../../repositories/deposits.ts'
import { CustomerId, CustomerParams, ErrorBody, MAX_REQUEST_AMOUNT, Money } from '../schemas.ts'
import { IDEMPOTENCY_KEY_HEADER, idempotencyKeyOf, MAX_IDEMPOTENCY_KEY_LENGTH } from './idempotency-key.ts'

const NewDeposit = Type.Object({ amount: Type.Integer({ minimum: 1, maximum: MAX_REQUEST_AMOUNT }) }, { additionalProperties: false })

const DepositHeaders = Type.Object({
  [IDEMPOTENCY_KEY_HEADER.toLowerCase()]: Type.Optional(Type.String({ description: `Required, at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters: a retry with the same key and amount returns the first deposit` })),
})

const DepositBody = Type.Object({
  depositId: Type.String({ format: 'uuid', maxLength: 36 }),
  customerId: CustomerId,
  amount: Money,
  balance: Money,
}, { additionalProperties: false })

/** Deposits into a customer's balance, made safe to retry by an idempotency key. */
export const depositRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/customers/:customerId/deposits', {
    schema: {
      summary: 'Deposit money into a customer balance',
      params: CustomerParams,
      headers: DepositHeaders,
      body: NewDeposit,
      response: { 201: DepositBody, 400: ErrorBody, 404: ErrorBody, 422: ErrorBody },
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
        throw new Unprocessable(`${IDEMPOTENCY_KEY_HEADER} ${key} was used for a deposit of ${earlier.amount}`, { field: IDEMPOTENCY_KEY_HEADER, rule: 'idempotency-key-reuse' })
      }
      const current = await findCustomer(trx, customerId)
      return { deposit: earlier, balance: current?.balance ?? customer.balance }
    })
    const { deposit, balance } = result
    return reply.status(201).send({ depositId: deposit.depositId, customerId, amount: moneyOf(deposit.amount, balance.currency), balance })
  })
}
