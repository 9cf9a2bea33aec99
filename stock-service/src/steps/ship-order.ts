// Shipping a reserved order: when payments cover it (at once or after the fulfilment delay), its units handed to a carrier → OrderShipped.
import { randomUUID } from 'node:crypto'
import type { Knex } from 'knex'
import { newEvent, type NewEventOf } from '@choreo/contracts'
import { carrierFor, newTrackingNumber } from '../domain/carrier.ts'
import type { Fulfilment } from '../domain/fulfilment.ts'
import { dispatchUnits, lockProducts } from '../repositories/products.ts'
import { lockReservation, scheduleShipment, setReservationStatus, type Reservation } from '../repositories/reservations.ts'
import { insertShipment } from '../repositories/shipments.ts'
import { giveBackHeld } from './pending-raise.ts'

/** The event being handled: what a scheduled shipment names as its cause. */
export interface Trigger {
  eventId: string
  correlationId: string
}

/**
 * Stock ships only when payments cover the reservation (docs/design.md): at once, or scheduled
 * after the fulfilment delay (the fulfilment poller or an admin's POST /shipments ships it then).
 * A reservation no longer covered (a modification raised its total) leaves the schedule until
 * the extra charge comes, and the delay starts again from there.
 */
export async function shipIfPaidInFull(trx: Knex.Transaction, reservation: Reservation, fulfilment: Fulfilment, trigger: Trigger): Promise<NewEventOf<'OrderShipped'>[]> {
  // A raise waiting for payment's answer is not covered yet, whatever `paid` says (pending-raise.ts).
  if (reservation.paid < reservation.total.amount || reservation.pendingRaise) {
    if (reservation.scheduled) await scheduleShipment(trx, reservation.orderId, null)
    return []
  }
  if (fulfilment.delayMs === 0) return [await shipOrder(trx, reservation)]
  if (!reservation.scheduled) {
    await scheduleShipment(trx, reservation.orderId, { at: new Date(Date.now() + fulfilment.delayMs), correlationId: trigger.correlationId, causationId: trigger.eventId })
  }
  return []
}

/** Hands a reserved order to a carrier: its units leave the warehouse → OrderShipped. */
export async function shipOrder(trx: Knex.Transaction, reservation: Reservation): Promise<NewEventOf<'OrderShipped'>> {
  const { orderId, lines } = reservation
  // Shipped, the lines are what was paid for: anything still held for a raise goes back.
  await giveBackHeld(trx, reservation)
  await lockProducts(trx, lines.map((line) => line.productId))
  await dispatchUnits(trx, lines)
  await setReservationStatus(trx, orderId, 'SHIPPED')
  const carrier = carrierFor(orderId)
  const shipment = { shipmentId: randomUUID(), orderId, carrier: carrier.name, trackingNumber: newTrackingNumber(carrier) }
  await insertShipment(trx, { ...shipment, shippedAt: new Date() })
  return newEvent('OrderShipped', shipment)
}

/**
 * The fulfilment delay of a scheduled shipment has passed: ship it, unless the reservation moved
 * on meanwhile (released by a cancellation, which wins, or no longer covered). Returns the event
 * with the cause it was scheduled by; null when there is nothing to ship.
 */
export async function shipIfDue(trx: Knex.Transaction, orderId: string, now: Date): Promise<{ event: NewEventOf<'OrderShipped'>; cause: { correlationId: string; causationId: string } } | null> {
  const reservation = await lockReservation(trx, orderId)
  const scheduled = reservation?.scheduled
  if (reservation?.status !== 'RESERVED' || !scheduled || scheduled.at > now || reservation.paid < reservation.total.amount) return null
  if (reservation.pendingRaise) return null
  return { event: await shipOrder(trx, reservation), cause: { correlationId: scheduled.correlationId, causationId: scheduled.causationId } }
}
