// The shipments' HTTP schemas: a shipment, the order whose shipments are asked for, shipping now, a delivery.
import { Type, type Static } from 'typebox'
import { Id } from '@choreo/platform'

export const ShipmentResponse = Type.Object({
  shipmentId: Type.String({ format: 'uuid', maxLength: 36 }),
  orderId: Type.String({ maxLength: 64 }),
  carrier: Type.String({ maxLength: 32 }),
  trackingNumber: Type.String({ maxLength: 64 }),
  status: Type.Union([Type.Literal('SHIPPED'), Type.Literal('DELIVERED')]),
  shippedAt: Type.String({ format: 'date-time', maxLength: 32 }),
  deliveredAt: Type.Union([Type.String({ format: 'date-time', maxLength: 32 }), Type.Null()]),
}, { additionalProperties: false })
export type ShipmentResponse = Static<typeof ShipmentResponse>

export const ShipmentList = Type.Object({ items: Type.Array(ShipmentResponse, { maxItems: 50 }) }, { additionalProperties: false })

export const ShipmentsQuery = Type.Object({
  orderId: Id,
}, { additionalProperties: false })

export const ShipmentParams = Type.Object({
  shipmentId: Type.String({ format: 'uuid', maxLength: 36 }),
}, { additionalProperties: false })

export const ShipRequest = Type.Object({
  orderId: Id,
}, { additionalProperties: false })

export const Delivered = Type.Object({
  shipmentId: Type.String({ format: 'uuid', maxLength: 36 }),
  status: Type.Literal('DELIVERED'),
}, { additionalProperties: false })
