// payment-service's payments route: validate, call the query, map its result to HTTP.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorBody, NotFound } from '@choreo/platform'
import { callerOf } from '@choreo/platform/http'
import { PaymentsOfOrder, PaymentsQuery } from './schemas.ts'
import { paymentsSeenBy } from './view.ts'

/**
 * What an order was charged and refunded, movement by movement. A customer sees only orders
 * charged to them (order_payments says whose an order is); another's, or one payment-service has
 * not seen, is not found. An admin sees any, unseen ones as empty.
 */
export const paymentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/payments', {
    config: { access: 'authenticated' },
    schema: { summary: 'Charges and refunds of an order', querystring: PaymentsQuery, response: { 200: PaymentsOfOrder, 400: ErrorBody, 404: ErrorBody } },
  }, async (request) => {
    const payments = await paymentsSeenBy(app.db, callerOf(request), request.query.orderId)
    if (!payments) throw new NotFound('order', request.query.orderId, 'orderId')
    return payments
  })
}
