// order-service's order routes: validate, call the command or query, map its result to HTTP.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { BadRequest, ErrorBody, IdempotencyKeyHeaders, idempotencyKeyOf, NotFound } from '@choreo/platform'
import { assertActingFor, callerOf, mayActFor, perCallerPerMinute, requestCause } from '@choreo/platform/http'
import { decodeCursor } from '../../domain/cursor.ts'
import { cancelOrder } from './cancel.ts'
import { assertUniqueProducts } from './checks.ts'
import { modifyOrder } from './modify.ts'
import { DEFAULT_CURRENCY, placeOrder } from './place.ts'
import {
  CancelOrderBody, DEFAULT_PAGE_SIZE, ListOrdersQuery, ModifyOrderBody, OrderDetail, OrderPage, OrderParams, PlaceOrderBody,
} from './schemas.ts'
import { orderDetail, orderPage } from './view.ts'

export interface OrderRoutesOptions {
  /** Orders one caller may place per minute (ORDER_RATE_LIMIT_PER_MINUTE). */
  ordersPerMinute: number
}

/**
 * Places, reads, lists, cancels and modifies orders; every change goes out through the outbox.
 * A customer sees and changes only their own orders: another's is answered 404, as if it did
 * not exist. An admin may act on any.
 */
export const orderRoutes: FastifyPluginAsyncTypebox<OrderRoutesOptions> = async (app, options) => {
  /** The order as it stands after a change: it was committed, so it exists. */
  async function current(orderId: string): Promise<OrderDetail> {
    const order = await orderDetail(app.db, orderId)
    if (!order) throw new NotFound('order', orderId, 'orderId')
    return order
  }

  app.post('/orders', {
    config: { access: 'authenticated', rateLimit: perCallerPerMinute(options.ordersPerMinute) },
    schema: {
      summary: 'Place an order',
      description: 'Starts the saga with OrderPlaced. customerId must be the caller\'s own (an admin may place for anyone). '
        + 'order-service does not know the catalogue: an unknown product is not refused here, the saga rejects the order '
        + '(status REJECTED, with the short lines) once stock-service has answered. Rate-limited per caller (429 with Retry-After).',
      headers: IdempotencyKeyHeaders,
      body: PlaceOrderBody,
      response: { 201: OrderDetail, 400: ErrorBody, 422: ErrorBody, 429: ErrorBody },
    },
  }, async (request, reply) => {
    const key = idempotencyKeyOf(request.headers)
    const body = request.body
    assertActingFor(callerOf(request), body.customerId, 'customerId')
    assertUniqueProducts(body.items)
    const input = { customerId: body.customerId, items: body.items, shippingAddress: body.shippingAddress, currency: body.currency ?? DEFAULT_CURRENCY }
    const orderId = await placeOrder(app, key, input, requestCause(request))
    // Read back rather than built from the input: the database's time precision (SQL Server's
    // datetime binding) and collation (line order) are what GET shows, and a retry gets the same.
    return reply.status(201).header('location', `/orders/${orderId}`).send(await current(orderId))
  })

  app.get('/orders/:orderId', {
    config: { access: 'authenticated' },
    schema: { summary: 'An order with its status history', params: OrderParams, response: { 200: OrderDetail, 400: ErrorBody, 404: ErrorBody } },
  }, async (request) => {
    const order = await orderDetail(app.db, request.params.orderId)
    if (!order || !mayActFor(callerOf(request), order.customerId)) throw new NotFound('order', request.params.orderId, 'orderId')
    return order
  })

  app.get('/orders', {
    config: { access: 'authenticated' },
    schema: {
      summary: 'Orders, newest first',
      description: 'A customer lists their own orders (customerId, if given, must be theirs); an admin lists anyone\'s. '
        + 'Keyset paging: pass nextCursor as cursor for the next page; null means there is none.',
      querystring: ListOrdersQuery,
      response: { 200: OrderPage, 400: ErrorBody },
    },
  }, async (request) => {
    const caller = callerOf(request)
    const { status, cursor, limit = DEFAULT_PAGE_SIZE } = request.query
    if (request.query.customerId !== undefined) assertActingFor(caller, request.query.customerId, 'customerId')
    const customerId = caller.role === 'admin' ? request.query.customerId : caller.sub
    const after = cursor === undefined ? undefined : decodeCursor(cursor)
    if (after === null) throw new BadRequest('cursor is not one this service issued', { field: 'cursor', rule: 'cursor' })
    return orderPage(app.db, { customerId, status, after, limit })
  })

  app.post('/orders/:orderId/cancel', {
    config: { access: 'authenticated' },
    // The body is optional: no body means no reason given.
    preValidation: async (request) => { request.body ??= {} },
    schema: {
      summary: 'Cancel an order',
      description: 'Accepted (202, CANCELLING) before shipping; stock and payment compensate, then the order is CANCELLED. '
        + 'If the shipment wins the race the order ends SHIPPED with the cancellation refused. Asking again changes nothing.',
      params: OrderParams,
      headers: IdempotencyKeyHeaders,
      body: CancelOrderBody,
      response: { 202: OrderDetail, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody },
    },
  }, async (request, reply) => {
    const key = idempotencyKeyOf(request.headers)
    const { orderId } = request.params
    await cancelOrder(app, { caller: callerOf(request), key, orderId, reason: request.body.reason }, requestCause(request))
    return reply.status(202).send(await current(orderId))
  })

  app.patch('/orders/:orderId', {
    config: { access: 'authenticated' },
    schema: {
      summary: 'Replace the lines of an order',
      description: 'Only before shipping (PENDING, STOCK_RESERVED, PAID; refused in SHIPPED or DELIVERED: already-shipped) and one at '
        + 'a time: the lines change when stock-service has adjusted the reservation (see the history); payment then charges or refunds the '
        + 'difference. Stock refuses it if it ships first ("modification refused: already shipped"). A raised total the customer cannot pay '
        + 'is refused ("modification refused: payment declined") and the order keeps its lines and payment.',
      params: OrderParams,
      body: ModifyOrderBody,
      response: { 202: OrderDetail, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody },
    },
  }, async (request, reply) => {
    assertUniqueProducts(request.body.items)
    await modifyOrder(app, callerOf(request), request.params.orderId, request.body.items, requestCause(request))
    return reply.status(202).send(await current(request.params.orderId))
  })
}
