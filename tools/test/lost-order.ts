// A test fixture: an order whose events Kafka lost (its storage wiped under it), written straight into order-service's tables.
import { randomUUID } from 'node:crypto'
import type { Knex } from 'knex'
import { appendHistory, insertOrder, updateOrder } from '@choreo/order-service'

/**
 * An order as order-service holds it once Kafka's storage was wiped under it (`./choreo down`,
 * a reformatted log dir): placed a minute ago, reserved and paid, and none of its events on any
 * topic or in any outbox. Returns its id.
 */
export async function orderKafkaLost(orders: Knex): Promise<string> {
  const orderId = randomUUID()
  const at = (msAgo: number) => new Date(Date.now() - msAgo)
  await insertOrder(orders, {
    orderId, customerId: 'ada', currency: 'EUR', createdAt: at(60_000),
    shippingAddress: { name: 'Ada Lovelace', line1: '12 St James Sq', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' },
  })
  await appendHistory(orders, { orderId, status: 'PENDING', event: 'OrderPlaced', eventId: null, reason: null, at: at(60_000) })
  await appendHistory(orders, { orderId, status: 'STOCK_RESERVED', event: 'StockReserved', eventId: randomUUID(), reason: null, at: at(59_900) })
  await appendHistory(orders, { orderId, status: 'PAID', event: 'PaymentCompleted', eventId: randomUUID(), reason: null, at: at(59_800) })
  await updateOrder(orders, orderId, { status: 'PAID', totalAmount: 1250 }, at(59_800))
  return orderId
}
