// The shipments' query: an order's shipments as GET /shipments shows them, to whom may see them.
import type { Knex } from 'knex'
import { mayActFor, type Caller } from '@choreo/platform/http'
import { reservationOwner } from '../../repositories/reservation-owner.ts'
import { shipmentsOfOrder, type Shipment } from '../../repositories/shipments.ts'
import type { ShipmentResponse } from './schemas.ts'

/** A shipment with its times as the API writes them. */
export function shipmentView(shipment: Shipment): ShipmentResponse {
  return { ...shipment, shippedAt: shipment.shippedAt.toISOString(), deliveredAt: shipment.deliveredAt?.toISOString() ?? null }
}

/**
 * The order's shipments, oldest first. A customer sees those of their own orders only (the
 * reservation says whose an order is); undefined for another's order, or one stock never reserved.
 */
export async function shipmentsSeenBy(db: Knex, caller: Caller, orderId: string): Promise<ShipmentResponse[] | undefined> {
  if (caller.role !== 'admin') {
    const owner = await reservationOwner(db, orderId)
    if (owner === undefined || !mayActFor(caller, owner)) return undefined
  }
  return (await shipmentsOfOrder(db, orderId)).map(shipmentView)
}
