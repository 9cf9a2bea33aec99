import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import { newEvent } from '@choreo/contracts'
import { callerOf, Conflict, ErrorBody, Id, mayActFor, NotFound, requestCause } from '@choreo/platform'
import { reservationOwner } from '../../repositories/reservation-owner.ts'
import { findPendingRaise } from '../../repositories/pending-raises.ts'
import { lockReservation } from '../../repositories/reservations.ts'
import { lockShipment, markDelivered, shipmentsOfOrder } from '../../repositories/shipments.ts'
import { shipOrder } from '../../steps/ship-order.ts'

const ShipmentResponse = Type.Object({
  shipmentId: Type.String({ format: 'uuid', maxLength: 36 }),
  orderId: Type.String({ maxLength: 64 }),
  carrier: Type.String({ maxLength: 32 }),
  trackingNumber: Type.String({ maxLength: 64 }),
  status: Type.Union([Type.Literal('SHIPPED'), Type.Literal('DELIVERED')]),
  shippedAt: Type.String({ format: 'date-time', maxLength: 32 }),
  deliveredAt: Type.Union([Type.String({ format: 'date-time', maxLength: 32 }), Type.Null()]),
}, { additionalProperties: false })

const ShipmentsQuery = Type.Object({
  orderId: Id,
}, { additionalProperties: false })

const ShipmentParams = Type.Object({
  shipmentId: Type.String({ format: 'uuid', maxLength: 36 }),
}, { additionalProperties: false })

const ShipRequest = Type.Object({
  orderId: Id,
}, { additionalProperties: false })

const Delivered = Type.Object({
  shipmentId: Type.String({ format: 'uuid', maxLength: 36 }),
  status: Type.Literal('DELIVERED'),
}, { additionalProperties: false })

/**
 * Shipments of orders, shipping a paid order now instead of after the fulfilment delay, and the
 * carrier's confirmation that one was delivered. A customer sees the shipments of their own
 * orders only (the reservation says whose an order is); an order of someone else's, or one
 * stock-service never reserved, is not found.
 */
export const shipmentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get('/shipments', {
    config: { access: 'authenticated' },
    schema: { summary: 'The shipments of an order', querystring: ShipmentsQuery, response: { 200: Type.Object({ items: Type.Array(ShipmentResponse, { maxItems: 50 }) }, { additionalProperties: false }), 400: ErrorBody, 404: ErrorBody } },
  }, async (request) => {
    const caller = callerOf(request)
    if (caller.role !== 'admin') {
      const owner = await reservationOwner(app.db, request.query.orderId)
      if (owner === undefined || !mayActFor(caller, owner)) throw new NotFound('order', request.query.orderId, 'orderId')
    }
    const shipments = await shipmentsOfOrder(app.db, request.query.orderId)
    return {
      items: shipments.map((s) => ({ ...s, shippedAt: s.shippedAt.toISOString(), deliveredAt: s.deliveredAt?.toISOString() ?? null })),
    }
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
    const { orderId } = request.body
    const shipment = await app.messaging.transaction(async (trx) => {
      const reservation = await lockReservation(trx, orderId)
      if (!reservation) throw new NotFound('order', orderId, 'orderId')
      if (reservation.status === 'SHIPPED') throw new Conflict(`order ${orderId} has shipped already`, 'already-shipped')
      if (reservation.status === 'RELEASED') throw new Conflict(`order ${orderId} was released: cancelled, or its payment failed`, 'released')
      if (reservation.paid < reservation.total.amount) throw new Conflict(`order ${orderId} is not paid in full yet`, 'not-paid')
      if (await findPendingRaise(trx, orderId)) throw new Conflict(`order ${orderId} has a modification waiting for payment`, 'not-paid')
      await app.messaging.outbox.enqueue(trx, await shipOrder(trx, reservation), requestCause(request))
      return (await shipmentsOfOrder(trx, orderId))[0]!
    })
    return reply.status(201).send({ ...shipment, shippedAt: shipment.shippedAt.toISOString(), deliveredAt: null })
  })

  app.post('/shipments/:shipmentId/deliver', {
    // The carrier's confirmation: only an admin (standing in for the carrier) says so.
    config: { access: 'admin' },
    schema: { summary: 'Record that the carrier delivered a shipment; emits ShipmentDelivered (admin)', params: ShipmentParams, response: { 202: Delivered, 400: ErrorBody, 404: ErrorBody, 409: ErrorBody } },
  }, async (request, reply) => {
    const { shipmentId } = request.params
    await app.messaging.transaction(async (trx) => {
      const shipment = await lockShipment(trx, shipmentId)
      if (!shipment) throw new NotFound('shipment', shipmentId, 'shipmentId')
      if (shipment.status === 'DELIVERED') throw new Conflict(`shipment ${shipmentId} was delivered already`, 'already-delivered')
      const deliveredAt = new Date()
      await markDelivered(trx, shipmentId, deliveredAt)
      await app.messaging.outbox.enqueue(trx, newEvent('ShipmentDelivered', { orderId: shipment.orderId, shipmentId, deliveredAt: deliveredAt.getTime() }), requestCause(request))
    })
    return reply.status(202).send({ shipmentId, status: 'DELIVERED' })
  })
}
