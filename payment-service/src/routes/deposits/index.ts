// payment-service's deposit route: validate, call the command, map its result to HTTP.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { moneyOf } from '@choreo/contracts'
import { ErrorBody, IdempotencyKeyHeaders, idempotencyKeyOf } from '@choreo/platform'
import { CustomerParams } from '../schemas.ts'
import { deposit } from './deposit.ts'
import { DepositBody, NewDeposit } from './schemas.ts'

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
    const { customerId } = request.params
    const made = await deposit(app.db, { key: idempotencyKeyOf(request.headers), customerId, amount: request.body.amount })
    const { depositId, amount } = made.deposit
    return reply.status(201).send({ depositId, customerId, amount: moneyOf(amount, made.balance.currency), balance: made.balance })
  })
}
