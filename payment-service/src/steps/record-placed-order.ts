// A step of payment-service's facts consumer: remembers whom each placed order charges and for which lines, which a charge checks.
import type { Knex } from 'knex'
import type { OrderPlaced } from '@choreo/contracts'
import { linesKey } from '../domain/order-lines.ts'
import { insertPlacedOrder } from '../repositories/order-facts.ts'

/** OrderPlaced (facts consumer): remember whom the order charges and for which lines; emits nothing. */
export async function recordPlacedOrder(event: OrderPlaced, trx: Knex.Transaction) {
  const { orderId, customerId, currency, items } = event
  await insertPlacedOrder(trx, { orderId, customerId, currency, items: linesKey(items) }, new Date())
  return []
}
