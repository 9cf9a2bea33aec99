import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { BadRequest, NotFound, requestCause } from '@choreo/platform'
import { decodeCursor, encodeCursor } from '../../domain/cursor.ts'
import { listOrders } from '../../repositories/orders.ts'
import { cancelOrder } from './cancel.ts'
import { assertUniqueProducts, idempotencyKey } from './checks.ts'
import { modifyOrder } from './modify.ts'
import { DEFAULT_CURRENCY, placeOrder } from './place.ts'
import {
  CancelOrderBody, DEFAULT_PAGE_SIZE, ErrorBody, ListOrdersQuery, ModifyOrderBody, OrderDetail, OrderPage, OrderParams,
  PlaceOrderBody, PlaceOrderHeaders,
} from './schemas.ts'
import { orderDetail, orderSummaries } from './view.ts'

/** Places, reads, lists, cancels and modifies orders; every change goes out through the outbox. */
export const orderRoutes: FastifyPluginAsyncTypebox = async (app) => {
  /** The order as it stands after a change: it was committed, so it exists. */
  async function current(orderId: string): Promise<OrderDetail> {
    const order = await orderDetail(app.db, orderId)
    if (!order) throw new NotFound('order', orderId, 'orderId')
    return order
  }

  app.post('/orders', {
    schema: {
      summary: 'Place an order',
      description: 'Starts the saga with OrderPlaced. order-service does not know the catalogue: an unknown product is not '
        + 'refused here, the saga rejects the order (status REJECTED, with the short lines) once stock-service has answered.',
      headers: PlaceOrderHeaders,
      body: PlaceOrderBody,
      response: { 201: OrderDetail, 400: ErrorBody, 422: ErrorBody },
    },
  }, async (request, reply) => {
    const key = idempotencyKey(request.headers['idempotency-key'])
    const body = request.body
    assertUniqueProducts(body.items)
    const input = { customerId: body.customerId, items: body.items, shippingAddress: body.shippingAddress, currency: body.currency ?? DEFAULT_CURRENCY }
    const orderId = await placeOrder(app, key, input, requestCause(request))
    return reply.status(201).header('location', `/orders/${orderId}`).send(await current(orderId))
  })

  app.get('/orders/:orderId', {
    schema: { summary: 'An order with its status history', params: OrderParams, response: { 200: OrderDetail, 400: ErrorBody, 404: ErrorBody } },
  }, async (request) => current(request.params.orderId))

  app.get('/orders', {
    schema: {
      summary: 'Orders, newest first',
      description: 'Keyset paging: pass nextCursor as cursor for the next page; null means there is none.',
      querystring: ListOrdersQuery,
      response: { 200: OrderPage, 400: ErrorBody },
    },
  }, async (request) => {
    const { customerId, status, cursor, limit = DEFAULT_PAGE_SIZE } = request.query
    const after = cursor === undefined ? undefined : decodeCursor(cursor)
    if (after === null) throw new BadRequest('cursor is not one this service issued', { field: 'cursor', rule: 'cursor' })
    // One row more than asked tells whether another page follows.
    const rows = await listOrders(app.db, { customerId, status, after, limit: limit + 1 })
    const page = rows.slice(0, limit)
    const last = page.at(-1)
    return {
      items: await orderSummaries(app.db, page),
      nextCursor: rows.length > limit && last ? encodeCursor({ createdAt: last.createdAt, orderId: last.orderId }) : null,
    }
  })

  app.post('/orders/:orderId/cancel', {
    // The body is optional: no body means no reason given.
    preValidation: async (request) => { request.body ??= {} },
    schema: {
      summary: 'Cancel an order',
      description: 'Accepted (202, CANCELLING) before shipping; stock and payment compensate, then the order is CANCELLED. '
        + 'If the shipment wins the race the order ends SHIPPED with the cancellation refused.',
      params: OrderParams,
      body: CancelOrderBody,
      response: { 202: OrderDetail, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody },
    },
  }, async (request, reply) => {
    await cancelOrder(app, request.params.orderId, request.body.reason, requestCause(request))
    return reply.status(202).send(await current(request.params.orderId))
  })

  app.patch('/orders/:orderId', {
    schema: {
      summary: 'Replace the lines of an order',
      description: 'Only before payment (PENDING, STOCK_RESERVED) and one at a time: the lines change when stock-service has '
        + 'adjusted the reservation (see the history).',
      params: OrderParams,
      body: ModifyOrderBody,
      response: { 202: OrderDetail, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody },
    },
  }, async (request, reply) => {
    assertUniqueProducts(request.body.items)
    await modifyOrder(app, request.params.orderId, request.body.items, requestCause(request))
    return reply.status(202).send(await current(request.params.orderId))
  })
}
