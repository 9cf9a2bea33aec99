// stock-service's shipment routes: validate, call the command or query, map its result to HTTP.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorBody, NotFound } from '@choreo/platform'
import { callerOf, requestCause } from '@choreo/platform/http'
import { deliverShipment } from './deliver.ts'
import { Delivered, ShipmentList, ShipmentParams, ShipmentResponse, ShipmentsQuery, ShipRequest } from './schemas.ts'
import { shipNow } from './ship.ts'
import { shipmentsSeenBy, shipmentView } from './view.ts'

/**
 * Shipments of orders, shipping a paid order now instead of after the fulfilment delay, and the
 * carrier's confirmation that one was delivered. A customer sees the shipments of their own
 * orders only (the reservation says whose an order is); an order of someone else's, or one
 * stock-service never reserved, is not found.
 */
export const shipmentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/shipments', {
    config: { access: 'authenticated' },
    schema: { summary: 'The shipments of an order', querystring: ShipmentsQuery, response: { 200: ShipmentList, 400: ErrorBody, 404: ErrorBody } },
  }, async (request) => {
    const items = await shipmentsSeenBy(app.db, callerOf(request), request.query.orderId)
    if (!items) throw new NotFound('order', request.query.orderId, 'orderId')
    return { items }
  })

  app.post('/shipments', {
    // The warehouse's decision: only an admin (standing in for it) ships ahead of FULFILMENT_DELAY_MS.
    config: { access: 'admin' },
    schema: {
      summary: 'Ship a paid order now rather than after the fulfilment delay; emits OrderShipped (admin)',
      description: 'Refused (409) when the order has shipped already (already-shipped), was released by a cancellation or a failed payment (released), '
        + 'or is not paid in full yet (not-paid): stock ships only what payments cover. A retry after a lost answer gets already-shipped.',
      body: ShipRequest,
      response: { 201: ShipmentResponse, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody },
    },
  }, async (request, reply) => {
    const shipment = await shipNow(app, request.body.orderId, requestCause(request))
    return reply.status(201).send(shipmentView(shipment))
  })

  app.post('/shipments/:shipmentId/deliver', {
    // The carrier's confirmation: only an admin (standing in for the carrier) says so.
    config: { access: 'admin' },
    schema: { summary: 'Record that the carrier delivered a shipment; emits ShipmentDelivered (admin)', params: ShipmentParams, response: { 202: Delivered, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody } },
  }, async (request, reply) => {
    const { shipmentId } = request.params
    await deliverShipment(app, shipmentId, requestCause(request))
    return reply.status(202).send({ shipmentId, status: 'DELIVERED' })
  })
}
