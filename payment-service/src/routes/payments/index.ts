import { Type } from 'typebox'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { callerOf, ErrorBody, Id, mayActFor, NotFound } from '@choreo/platform'
import { moneyOf } from '../../money.ts'
import { findOrderPayment } from '../../repositories/order-payments.ts'
import { paymentsOfOrder } from '../../repositories/payments.ts'
import { Money } from '../schemas.ts'

/** Any id of 1–64 letters, digits, _ and - (order-service makes uuids, which fit); the pattern keeps anything else out of the query. */
const OrderId = Id

const PaymentsQuery = Type.Object({ orderId: OrderId }, { additionalProperties: false })

const PaymentsOfOrder = Type.Object({
  orderId: OrderId,
  items: Type.Array(Type.Object({
    paymentId: Type.String({ format: 'uuid', maxLength: 36 }),
    kind: Type.Union([Type.Literal('CHARGE'), Type.Literal('REFUND')]),
    amount: Money,
    reason: Type.String({ maxLength: 200 }),
    createdAt: Type.String({ format: 'date-time', maxLength: 40 }),
  }, { additionalProperties: false }), { maxItems: 1000 }),
  charged: Type.Union([Money, Type.Null()], { description: 'Sum of charges; null when payment-service has not seen the order' }),
  refunded: Type.Union([Money, Type.Null()], { description: 'Sum of refunds; null when payment-service has not seen the order' }),
}, { additionalProperties: false })

/**
 * What an order was charged and refunded, movement by movement. A customer sees only orders
 * charged to them (order_payments says whose an order is); another's, or one payment-service has
 * not seen, is not found. An admin sees any, unseen ones as empty.
 */
export const paymentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/payments', {
    config: { access: 'authenticated' },
    schema: {
      summary: 'Charges and refunds of an order',
      querystring: PaymentsQuery,
      response: { 200: PaymentsOfOrder, 400: ErrorBody, 404: ErrorBody },
    },
  }, async (request) => {
    const { orderId } = request.query
    const caller = callerOf(request)
    const [order, payments] = await Promise.all([findOrderPayment(app.db, orderId), paymentsOfOrder(app.db, orderId)])
    if (caller.role !== 'admin' && (!order || !mayActFor(caller, order.customerId))) throw new NotFound('order', orderId, 'orderId')
    return {
      orderId,
      items: payments.map((p) => ({ paymentId: p.paymentId, kind: p.kind, amount: p.amount, reason: p.reason, createdAt: p.createdAt.toISOString() })),
      charged: order ? moneyOf(order.charged, order.currency) : null,
      refunded: order ? moneyOf(order.refunded, order.currency) : null,
    }
  })
}
