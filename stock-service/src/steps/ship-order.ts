import { randomUUID } from 'node:crypto'
import type { Knex } from 'knex'
import { newEvent, type NewEvent } from '@choreo/contracts'
import { carrierFor, newTrackingNumber } from '../domain/carrier.ts'
import { dispatchUnits, lockProducts } from '../repositories/products.ts'
import { setReservationStatus, type Reservation } from '../repositories/reservations.ts'
import { insertShipment } from '../repositories/shipments.ts'

/** Stock ships only when payments cover the reservation (docs/design.md); otherwise it waits. */
export async function shipIfPaidInFull(trx: Knex.Transaction, reservation: Reservation): Promise<NewEvent[]> {
  return reservation.paid >= reservation.total.amount ? [await shipOrder(trx, reservation)] : []
}

/** Hands a reserved order to a carrier: its units leave the warehouse → OrderShipped. */
export async function shipOrder(trx: Knex.Transaction, reservation: Reservation): Promise<NewEvent> {
  const { orderId, lines } = reservation
  await lockProducts(trx, lines.map((line) => line.productId))
  for (const line of lines) await dispatchUnits(trx, line.productId, line.quantity)
  await setReservationStatus(trx, orderId, 'SHIPPED')
  const carrier = carrierFor(orderId)
  const shipment = { shipmentId: randomUUID(), orderId, carrier: carrier.name, trackingNumber: newTrackingNumber(carrier) }
  await insertShipment(trx, { ...shipment, shippedAt: new Date() })
  return newEvent('OrderShipped', shipment)
}
