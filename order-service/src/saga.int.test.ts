import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { Events, EventType, NewEvent, PricedLine } from '@choreo/contracts'
import { createEventCodec, type Handler, type Saga } from '@choreo/messaging'
import type { OrderStatus } from './domain/status.ts'
import { appendHistory, historyOf } from './repositories/order-history.ts'
import { linesOf, replaceLines } from './repositories/order-lines.ts'
import { insertModification } from './repositories/order-modifications.ts'
import { findOrder, insertOrder, updateOrder, type Order, type OrderChanges } from './repositories/orders.ts'
import { saga } from './saga.ts'
import { useOrderDatabase } from './testing/harness.ts'

// Each saga step against a real, migrated PostgreSQL database: the rows it leaves, the history
// it appends and the events it returns (checked against their Avro schemas, as the outbox will).

const database = useOrderDatabase('saga')
// validate() checks against the local .avsc files; the registry is never asked.
const codec = createEventCodec({ registryUrl: 'http://unused.invalid' })

type Payload<T extends EventType> = Omit<Events[T], 'eventId' | 'correlationId' | 'causationId' | 'occurredAt'>

function incoming<T extends EventType>(data: Payload<T>): Events[T] {
  return { eventId: randomUUID(), correlationId: randomUUID(), causationId: null, occurredAt: Date.now(), ...data } as Events[T]
}

/** Runs a step as the consumer does: in a transaction; returns the events it would enqueue, schema-checked. */
async function handle<T extends EventType>(type: T, data: Payload<T>): Promise<{ event: Events[T]; emitted: readonly NewEvent[] }> {
  const handler = (saga as Saga)[type]!.handle as unknown as Handler<T>
  const event = incoming<T>(data)
  const emitted = await database.db.transaction(async (trx) => handler(event, trx))
  for (const e of emitted) codec.validate(e.type, incoming<typeof e.type>(e.data as never))
  return { event, emitted }
}

const EUR = (amount: number) => ({ amount, currency: 'EUR' })
const LINES = [{ productId: 'apple', quantity: 2 }, { productId: 'pear', quantity: 1 }]
const PRICED: PricedLine[] = [{ productId: 'apple', quantity: 2, unitPrice: EUR(150) }, { productId: 'pear', quantity: 1, unitPrice: EUR(200) }]

/** An order as placed, then moved to `status` (with `changes`) as earlier steps would have. */
async function givenOrder(status: OrderStatus = 'PENDING', changes: OrderChanges = {}): Promise<string> {
  const orderId = randomUUID()
  const at = new Date()
  await insertOrder(database.db, { orderId, customerId: 'cust-1', currency: 'EUR', shippingAddress: { name: 'A', line1: 'B 1', city: 'C', postalCode: '1', country: 'DE' }, createdAt: at })
  await replaceLines(database.db, orderId, LINES.map((l) => ({ ...l, unitPriceAmount: null })))
  await appendHistory(database.db, { orderId, status: 'PENDING', event: 'OrderPlaced', eventId: null, reason: null, at })
  await updateOrder(database.db, orderId, { status, ...changes }, at)
  return orderId
}

async function order(orderId: string): Promise<Order> {
  const found = await findOrder(database.db, orderId)
  if (!found) throw new Error(`order ${orderId} vanished`)
  return found
}

async function lastHistory(orderId: string) {
  const rows = await historyOf(database.db, orderId)
  return { count: rows.length, last: rows.at(-1) }
}

describe('StockReserved', () => {
  it('refuses one for a REJECTED order, or naming another customer: nothing priced', async () => {
    const rejected = await givenOrder('REJECTED')
    await expect(handle('StockReserved', { orderId: rejected, customerId: 'cust-1', lines: PRICED, total: EUR(500) })).rejects.toMatchObject({ rule: 'reservation-of-rejected-order' })
    const other = await givenOrder()
    await expect(handle('StockReserved', { orderId: other, customerId: 'mallory', lines: PRICED, total: EUR(500) })).rejects.toMatchObject({ rule: 'reservation-for-another-customer' })
    expect(await order(rejected)).toMatchObject({ status: 'REJECTED', totalAmount: null })
    expect(await order(other)).toMatchObject({ status: 'PENDING', totalAmount: null })
  })

  it('prices the lines, sets the total and moves PENDING to STOCK_RESERVED, with a history row', async () => {
    const orderId = await givenOrder()
    const { event, emitted } = await handle('StockReserved', { orderId, customerId: 'cust-1', lines: PRICED, total: EUR(500) })
    expect(emitted).toEqual([])
    expect(await order(orderId)).toMatchObject({ status: 'STOCK_RESERVED', totalAmount: 500 })
    expect((await linesOf(database.db, [orderId])).get(orderId)).toEqual([
      { productId: 'apple', quantity: 2, unitPriceAmount: 150 }, { productId: 'pear', quantity: 1, unitPriceAmount: 200 },
    ])
    const { count, last } = await lastHistory(orderId)
    expect(count).toBe(2)
    expect(last).toMatchObject({ status: 'STOCK_RESERVED', event: 'StockReserved', eventId: event.eventId, reason: null })
  })

  it('arriving after PaymentCompleted keeps PAID (a late event never moves the status back) but records prices', async () => {
    const orderId = await givenOrder()
    await handle('PaymentCompleted', { orderId, paymentId: randomUUID(), customerId: 'cust-1', amount: EUR(500) })
    expect((await order(orderId)).status).toBe('PAID')
    await handle('StockReserved', { orderId, customerId: 'cust-1', lines: PRICED, total: EUR(500) })
    expect(await order(orderId)).toMatchObject({ status: 'PAID', totalAmount: 500 })
    expect((await historyOf(database.db, orderId)).map((h) => [h.event, h.status])).toEqual([
      ['OrderPlaced', 'PENDING'], ['PaymentCompleted', 'PAID'], ['StockReserved', 'PAID'],
    ])
  })

  it('leaves a CANCELLING order cancelling', async () => {
    const orderId = await givenOrder('CANCELLING', { reason: 'changed my mind' })
    await handle('StockReserved', { orderId, customerId: 'cust-1', lines: PRICED, total: EUR(500) })
    expect(await order(orderId)).toMatchObject({ status: 'CANCELLING', reason: 'changed my mind', totalAmount: 500 })
  })

  it('refuses prices in another currency than the order, writing nothing', async () => {
    const orderId = await givenOrder()
    await expect(handle('StockReserved', { orderId, customerId: 'cust-1', lines: PRICED, total: { amount: 500, currency: 'USD' } })).rejects.toThrow(/USD/)
    expect(await order(orderId)).toMatchObject({ status: 'PENDING', totalAmount: null })
    expect((await lastHistory(orderId)).count).toBe(1)
  })
})

describe('StockReservationFailed', () => {
  const shortLines = [{ productId: 'pear', requested: 1, available: 0 }]

  it('rejects a PENDING order with a reason naming the short products, and the short lines, and emits OrderRejected', async () => {
    const orderId = await givenOrder()
    const { emitted } = await handle('StockReservationFailed', { orderId, reason: 'insufficient stock', shortLines })
    const reason = 'insufficient stock: pear (requested 1, available 0)'
    expect(emitted).toEqual([{ type: 'OrderRejected', data: { orderId, reason, shortLines } }])
    expect(await order(orderId)).toMatchObject({ status: 'REJECTED', reason, shortLines })
    expect((await lastHistory(orderId)).last).toMatchObject({ status: 'REJECTED', event: 'StockReservationFailed', reason })
  })

  it('cancels a CANCELLING order (nothing was reserved, so nothing to compensate) with the cancel reason', async () => {
    const orderId = await givenOrder('CANCELLING', { reason: 'changed my mind' })
    const { emitted } = await handle('StockReservationFailed', { orderId, reason: 'insufficient stock', shortLines })
    expect(emitted).toEqual([{ type: 'OrderCancelled', data: { orderId, reason: 'changed my mind' } }])
    expect(await order(orderId)).toMatchObject({ status: 'CANCELLED', reason: 'changed my mind' })
  })

  it('changes nothing on a final order but still records the event', async () => {
    const orderId = await givenOrder('CANCELLED', { reason: 'changed my mind' })
    const { emitted } = await handle('StockReservationFailed', { orderId, reason: 'insufficient stock', shortLines })
    expect(emitted).toEqual([])
    expect(await order(orderId)).toMatchObject({ status: 'CANCELLED', reason: 'changed my mind', shortLines: null })
    expect(await lastHistory(orderId)).toMatchObject({ count: 2, last: { status: 'CANCELLED', event: 'StockReservationFailed' } })
  })
})

describe('ReservationAdjusted', () => {
  const newLines: PricedLine[] = [{ productId: 'apple', quantity: 5, unitPrice: EUR(150) }]

  it('accepted: replaces the lines with the priced new ones, sets the total, clears the pending modification', async () => {
    const modificationId = randomUUID()
    const orderId = await givenOrder('STOCK_RESERVED', { pendingModificationId: modificationId, totalAmount: 500 })
    await handle('ReservationAdjusted', { orderId, modificationId, accepted: true, lines: newLines, total: EUR(750), reason: null, shortLines: [] })
    expect(await order(orderId)).toMatchObject({ status: 'STOCK_RESERVED', totalAmount: 750, pendingModificationId: null, reason: null })
    expect((await linesOf(database.db, [orderId])).get(orderId)).toEqual([{ productId: 'apple', quantity: 5, unitPriceAmount: 150 }])
    expect((await lastHistory(orderId)).last).toMatchObject({ status: 'STOCK_RESERVED', event: 'ReservationAdjusted' })
  })

  it('refused: keeps the lines and total, says why, clears the pending modification', async () => {
    const modificationId = randomUUID()
    const orderId = await givenOrder('STOCK_RESERVED', { pendingModificationId: modificationId, totalAmount: 500 })
    await handle('ReservationAdjusted', { orderId, modificationId, accepted: false, lines: PRICED, total: EUR(500), reason: 'insufficient stock', shortLines: [{ productId: 'apple', requested: 5, available: 3 }] })
    expect(await order(orderId)).toMatchObject({ totalAmount: 500, pendingModificationId: null, reason: 'modification refused: insufficient stock: apple (requested 5, available 3)' })
    expect((await linesOf(database.db, [orderId])).get(orderId)?.map((l) => l.quantity)).toEqual([2, 1])
    expect((await lastHistory(orderId)).last).toMatchObject({ event: 'ReservationAdjusted', reason: 'modification refused: insufficient stock: apple (requested 5, available 3)' })
  })

  it('refused while CANCELLING: keeps the cancellation reason', async () => {
    const modificationId = randomUUID()
    const orderId = await givenOrder('CANCELLING', { pendingModificationId: modificationId, reason: 'changed my mind' })
    await handle('ReservationAdjusted', { orderId, modificationId, accepted: false, lines: PRICED, total: EUR(500), reason: 'insufficient stock', shortLines: [] })
    expect(await order(orderId)).toMatchObject({ status: 'CANCELLING', reason: 'changed my mind', pendingModificationId: null })
  })

  it('an answer to another modification than the pending one changes nothing but the history', async () => {
    const pending = randomUUID()
    const orderId = await givenOrder('STOCK_RESERVED', { pendingModificationId: pending, totalAmount: 500 })
    await handle('ReservationAdjusted', { orderId, modificationId: randomUUID(), accepted: true, lines: newLines, total: EUR(750), reason: null, shortLines: [] })
    expect(await order(orderId)).toMatchObject({ totalAmount: 500, pendingModificationId: pending })
    expect((await linesOf(database.db, [orderId])).get(orderId)).toHaveLength(2)
    expect((await lastHistory(orderId)).count).toBe(2)
  })

  it('"payment declined" (stock undoing a raise payment could not charge): takes back the lines and total it carries, says why, status unchanged', async () => {
    const declined = randomUUID()
    // The raise was applied (5 apples, 750); payment declined it; stock answers with the lines before it.
    const orderId = await givenOrder('PAID', { totalAmount: 750 })
    await database.db.transaction((trx) => insertModification(trx, { modificationId: declined, orderId, requestedAt: new Date() }))
    await replaceLines(database.db, orderId, [{ productId: 'apple', quantity: 5, unitPriceAmount: 150 }])
    await handle('ReservationAdjusted', { orderId, modificationId: declined, accepted: false, lines: PRICED, total: EUR(500), reason: 'payment declined', shortLines: [] })
    expect(await order(orderId)).toMatchObject({ status: 'PAID', totalAmount: 500, reason: 'modification refused: payment declined, the order stands as it was' })
    expect((await linesOf(database.db, [orderId])).get(orderId)?.map((l) => l.quantity)).toEqual([2, 1])
    expect((await lastHistory(orderId)).last).toMatchObject({ status: 'PAID', event: 'ReservationAdjusted', reason: 'modification refused: payment declined, the order stands as it was' })
  })
})

describe('PaymentCompleted', () => {
  it.each([
    ['PENDING', 'PAID'], ['STOCK_RESERVED', 'PAID'], ['PAID', 'PAID'], ['SHIPPED', 'SHIPPED'], ['DELIVERED', 'DELIVERED'],
    ['CANCELLING', 'CANCELLING'], ['CANCELLED', 'CANCELLED'],
  ] as const)('%s → %s, with a history row either way', async (from, to) => {
    const orderId = await givenOrder(from)
    const { emitted } = await handle('PaymentCompleted', { orderId, paymentId: randomUUID(), customerId: 'cust-1', amount: EUR(500) })
    expect(emitted).toEqual([])
    expect((await order(orderId)).status).toBe(to)
    expect((await lastHistory(orderId)).last).toMatchObject({ status: to, event: 'PaymentCompleted' })
  })
})

describe('PaymentFailed', () => {
  it('moves a PAID order to CANCELLING with the reason and emits nothing (stock releases by itself)', async () => {
    const orderId = await givenOrder('PAID')
    const { emitted } = await handle('PaymentFailed', { orderId, reason: 'insufficient funds', customerId: 'cust-1', amount: EUR(250), modificationId: null })
    expect(emitted).toEqual([])
    expect(await order(orderId)).toMatchObject({ status: 'CANCELLING', reason: 'payment failed: insufficient funds' })
    expect((await lastHistory(orderId)).last).toMatchObject({ status: 'CANCELLING', event: 'PaymentFailed', reason: 'payment failed: insufficient funds' })
  })

  it('of a modification: refuses only that modification, the PAID order stands (history only)', async () => {
    const orderId = await givenOrder('PAID', { reason: null })
    const { emitted } = await handle('PaymentFailed', { orderId, reason: 'insufficient funds for modification', customerId: 'cust-1', amount: EUR(250), modificationId: randomUUID() })
    expect(emitted).toEqual([])
    expect(await order(orderId)).toMatchObject({ status: 'PAID', reason: null })
    expect((await lastHistory(orderId)).last).toMatchObject({ status: 'PAID', event: 'PaymentFailed', reason: 'payment failed for a modification: insufficient funds for modification' })
  })

  it.each(['CANCELLING', 'SHIPPED', 'REJECTED', 'CANCELLED', 'DELIVERED'] as const)('leaves a %s order and its reason alone', async (status) => {
    const orderId = await givenOrder(status, { reason: 'before' })
    await handle('PaymentFailed', { orderId, reason: 'insufficient funds', customerId: 'cust-1', amount: EUR(250), modificationId: null })
    expect(await order(orderId)).toMatchObject({ status, reason: 'before' })
    expect((await lastHistory(orderId)).count).toBe(2)
  })
})

describe('OrderShipped', () => {
  const shipment = { carrier: 'DHL', trackingNumber: 'TN-1', shipmentId: 'sh-1' }

  it('moves a PAID order to SHIPPED and records carrier, tracking number and shipment id', async () => {
    const orderId = await givenOrder('PAID')
    await handle('OrderShipped', { orderId, ...shipment })
    expect(await order(orderId)).toMatchObject({ status: 'SHIPPED', ...shipment, reason: null })
  })

  it('while CANCELLING: the shipment won the race, SHIPPED with the cancellation refused', async () => {
    const orderId = await givenOrder('CANCELLING', { reason: 'changed my mind' })
    await handle('OrderShipped', { orderId, ...shipment })
    expect(await order(orderId)).toMatchObject({ status: 'SHIPPED', reason: 'cancellation refused: already shipped', carrier: 'DHL' })
    expect((await lastHistory(orderId)).last).toMatchObject({ status: 'SHIPPED', event: 'OrderShipped', reason: 'cancellation refused: already shipped' })
  })

  it('never moves a DELIVERED order back', async () => {
    const orderId = await givenOrder('DELIVERED')
    await handle('OrderShipped', { orderId, ...shipment })
    expect((await order(orderId)).status).toBe('DELIVERED')
  })
})

describe('ShipmentDelivered', () => {
  it('moves SHIPPED to DELIVERED and emits OrderDelivered with the delivery time', async () => {
    const orderId = await givenOrder('SHIPPED')
    const deliveredAt = Date.now() - 1000
    const { emitted } = await handle('ShipmentDelivered', { orderId, shipmentId: 'sh-1', deliveredAt })
    expect(emitted).toEqual([{ type: 'OrderDelivered', data: { orderId, deliveredAt } }])
    expect((await order(orderId)).status).toBe('DELIVERED')
  })

  it.each(['DELIVERED', 'CANCELLED', 'REJECTED'] as const)('on a %s order emits nothing and changes nothing', async (status) => {
    const orderId = await givenOrder(status)
    const { emitted } = await handle('ShipmentDelivered', { orderId, shipmentId: 'sh-1', deliveredAt: Date.now() })
    expect(emitted).toEqual([])
    expect((await order(orderId)).status).toBe(status)
    expect((await lastHistory(orderId)).count).toBe(2)
  })
})

describe('PaymentRefunded', () => {
  const refund = (orderId: string, reason: string) => ({ orderId, paymentId: null, refundId: randomUUID(), customerId: 'cust-1', amount: EUR(0), reason })

  it("'released' completes a cancellation: CANCELLING → CANCELLED, OrderCancelled with the cancel reason", async () => {
    const orderId = await givenOrder('CANCELLING', { reason: 'changed my mind' })
    const { emitted } = await handle('PaymentRefunded', refund(orderId, 'released'))
    expect(emitted).toEqual([{ type: 'OrderCancelled', data: { orderId, reason: 'changed my mind' } }])
    expect(await order(orderId)).toMatchObject({ status: 'CANCELLED', reason: 'changed my mind' })
    expect((await lastHistory(orderId)).last).toMatchObject({ status: 'CANCELLED', event: 'PaymentRefunded', reason: 'released' })
  })

  it("'released' on an order already CANCELLED emits nothing more", async () => {
    const orderId = await givenOrder('CANCELLED', { reason: 'changed my mind' })
    expect((await handle('PaymentRefunded', refund(orderId, 'released'))).emitted).toEqual([])
  })

  it("'adjusted' only goes into the history", async () => {
    const orderId = await givenOrder('STOCK_RESERVED')
    const { emitted } = await handle('PaymentRefunded', refund(orderId, 'adjusted'))
    expect(emitted).toEqual([])
    expect((await order(orderId)).status).toBe('STOCK_RESERVED')
    expect((await lastHistory(orderId)).last).toMatchObject({ status: 'STOCK_RESERVED', event: 'PaymentRefunded', reason: 'adjusted' })
  })
})

describe('StockReleased', () => {
  it('only goes into the history: the cancellation completes when payment has refunded', async () => {
    const orderId = await givenOrder('CANCELLING', { reason: 'changed my mind' })
    const { emitted } = await handle('StockReleased', { orderId, reason: 'cancelled', lines: LINES })
    expect(emitted).toEqual([])
    expect((await order(orderId)).status).toBe('CANCELLING')
    expect((await lastHistory(orderId)).last).toMatchObject({ status: 'CANCELLING', event: 'StockReleased', reason: 'cancelled' })
  })
})

describe('the whole saga', () => {
  it('an unknown order is a no-op: nothing written, nothing emitted', async () => {
    const orderId = randomUUID()
    const { emitted } = await handle('PaymentCompleted', { orderId, paymentId: randomUUID(), customerId: 'cust-1', amount: EUR(500) })
    expect(emitted).toEqual([])
    expect(await database.db('order_history').where({ order_id: orderId })).toEqual([])
    expect(await findOrder(database.db, orderId)).toBeUndefined()
  })

  it('events of one order handled at the same time from different topics never lose an update (row lock)', async () => {
    const orderIds = await Promise.all(Array.from({ length: 8 }, () => givenOrder()))
    await Promise.all(orderIds.flatMap((orderId) => [
      handle('StockReserved', { orderId, customerId: 'cust-1', lines: PRICED, total: EUR(500) }),
      handle('PaymentCompleted', { orderId, paymentId: randomUUID(), customerId: 'cust-1', amount: EUR(500) }),
    ]))
    for (const orderId of orderIds) {
      expect(await order(orderId)).toMatchObject({ status: 'PAID', totalAmount: 500 })
      expect((await historyOf(database.db, orderId)).map((h) => h.status)).toEqual(['PENDING', expect.any(String), 'PAID'])
    }
  })

  it('happy path: every event appends the status it left the order in', async () => {
    const orderId = await givenOrder()
    await handle('StockReserved', { orderId, customerId: 'cust-1', lines: PRICED, total: EUR(500) })
    await handle('PaymentCompleted', { orderId, paymentId: randomUUID(), customerId: 'cust-1', amount: EUR(500) })
    await handle('OrderShipped', { orderId, carrier: 'DHL', trackingNumber: 'TN-1', shipmentId: 'sh-1' })
    await handle('ShipmentDelivered', { orderId, shipmentId: 'sh-1', deliveredAt: Date.now() })
    await handle('StockReserved', { orderId, customerId: 'cust-1', lines: PRICED, total: EUR(500) })
    expect((await historyOf(database.db, orderId)).map((h) => [h.event, h.status])).toEqual([
      ['OrderPlaced', 'PENDING'], ['StockReserved', 'STOCK_RESERVED'], ['PaymentCompleted', 'PAID'],
      ['OrderShipped', 'SHIPPED'], ['ShipmentDelivered', 'DELIVERED'], ['StockReserved', 'DELIVERED'],
    ])
  })

  it('cancellation after payment: PaymentFailed, StockReleased, PaymentRefunded(released) end CANCELLED once', async () => {
    const orderId = await givenOrder('PAID')
    await handle('PaymentFailed', { orderId, reason: 'card expired', customerId: 'cust-1', amount: EUR(100), modificationId: null })
    await handle('StockReleased', { orderId, reason: 'payment failed', lines: LINES })
    const { emitted } = await handle('PaymentRefunded', { orderId, paymentId: randomUUID(), refundId: randomUUID(), customerId: 'cust-1', amount: EUR(500), reason: 'released' })
    expect(emitted).toEqual([{ type: 'OrderCancelled', data: { orderId, reason: 'payment failed: card expired' } }])
    expect((await historyOf(database.db, orderId)).map((h) => h.status)).toEqual(['PENDING', 'CANCELLING', 'CANCELLING', 'CANCELLED'])
  })
})
