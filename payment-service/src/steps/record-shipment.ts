// payment-service's step for OrderShipped: remembers the shipment, after which no release refunds the order.
import type { Knex } from 'knex'
import type { OrderShipped } from '@choreo/contracts'
import { markShipped } from '../repositories/order-payments.ts'

/**
 * OrderShipped: remember that the order shipped, so that a release of it later (which
 * stock-service never sends: it releases only what has not shipped) refunds nothing. Emits
 * nothing; an order payment-service never charged has nothing to remember.
 */
export async function recordShipment(event: OrderShipped, trx: Knex.Transaction) {
  await markShipped(trx, event.orderId, new Date(event.occurredAt))
  return []
}
