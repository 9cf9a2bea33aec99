import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EventType, Money } from '@choreo/contracts'
import { eventEnvelope, eventually, hostileSender, readTopic, UNKNOWN_SCHEMA_MESSAGE, type ForgedMessage, type HostileSender } from '@choreo/testkit'
import { balanceOf, countRows, eur, newCustomer, orderPlaced, orderShipped, reservationAdjusted, stockReleased, stockReserved, usePaymentApp } from './testing/harness.ts'

// Hostile messages on stock.events, through Kafka to the running consumer, written with
// stock-service's own credentials (a compromised or buggy stock-service): what cannot be read
// goes to the dead-letter topic, a valid event about an order payment-service never charged is a
// documented no-op, a charge for an order order-service never placed (or not as placed) is
// refused, a replay changes nothing, and the consumer goes on to the next message.
// Everything is sent to partition 0, so the last message proves the ones before it were passed.

const h = usePaymentApp('hostile')
let forger: HostileSender

beforeAll(async () => {
  // As stock-service, stock.events' owner, and as order-service placing the orders the charges
  // are for: the broker lets these through, the consumer must judge them.
  forger = await hostileSender(h.prefix, ['StockReserved', 'StockReservationFailed', 'ReservationAdjusted', 'StockReleased', 'OrderShipped', 'OrderPlaced', 'OrderModificationRequested'], ['stock.events', 'order.events'])
})

afterAll(async () => {
  await forger?.close()
})

const encoded = (type: EventType, event: { orderId: string }): ForgedMessage => forger.encoded(type, event)
const send = (...messages: ForgedMessage[]) => forger.send('stock.events', ...messages)
/** order-service places these orders (one unit of p-1 each, as the harness' StockReserved prices). */
const place = (...orders: { orderId: string; customerId: string }[]) =>
  forger.sendKeyed('order.events', ...orders.map(({ orderId, customerId }) => encoded('OrderPlaced', orderPlaced(orderId, customerId))))

async function retriesAwaitingFacts(): Promise<number> {
  const metrics = (await h.app.inject({ method: 'GET', url: '/metrics' })).body
  const line = metrics.split('\n').find((l) => l.startsWith('consumer_retries_total{') && l.includes('kind="awaiting-facts"'))
  return Number(line?.split(' ').at(-1) ?? 0)
}

async function deadLettersOf(orderId: string) {
  return (await readTopic(`${h.prefix}payment-service.dlt`)).filter((m) => m.key === orderId).map((m) => m.headers['dlt-reason'])
}

/**
 * Another customer's order of 100, placed, and its StockReserved to send after the messages under
 * test: once it is charged (`untilPassed`), the consumer has passed every message before it.
 */
async function placedMarker() {
  const other = await newCustomer(h.app.db, eur(1_000))
  const marker = stockReserved(randomUUID(), other, eur(100))
  await place(marker)
  return { marker, untilPassed: () => eventually(async () => expect(await balanceOf(h.app.db, other)).toBe(900), { timeoutMs: 30_000 }) }
}

/** A customer with 10,000 and an order of theirs, placed and charged `total` through the broker. */
async function chargedThroughBroker(total: Money) {
  const db = h.app.db
  const customerId = await newCustomer(db, eur(10_000))
  const orderId = randomUUID()
  await place({ orderId, customerId })
  await send(encoded('StockReserved', stockReserved(orderId, customerId, total)))
  await eventually(async () => expect(await balanceOf(db, customerId)).toBe(10_000 - total.amount), { timeoutMs: 30_000 })
  return { customerId, orderId }
}

/** Everything payment-service keeps about a customer and an order. */
async function stateOf(customerId: string, orderId: string) {
  const db = h.app.db
  return {
    balance: await balanceOf(db, customerId),
    orderPayment: await db('order_payments').where({ order_id: orderId }).first(),
    payments: await countRows(db, 'payments', { order_id: orderId }),
    outbox: await countRows(db, 'outbox', { aggregate_id: orderId }),
  }
}

describe('hostile events on stock.events', () => {
  it('dead-letters unreadable bytes and an unknown schema id, ignores an adjustment of an order it never charged, and goes on', async () => {
    const db = h.app.db
    const customerId = await newCustomer(db, eur(10_000))
    const unknownOrder = randomUUID()
    const adjustment = reservationAdjusted(unknownOrder, eur(5_000))
    const marker = stockReserved(randomUUID(), customerId, eur(3_000))
    await place(marker)

    await send(
      { key: 'garbage', value: Buffer.from('not avro at all') },
      UNKNOWN_SCHEMA_MESSAGE,
      encoded('ReservationAdjusted', adjustment),
      encoded('StockReserved', marker),
    )

    await eventually(async () => expect(await balanceOf(db, customerId)).toBe(7_000), { timeoutMs: 30_000 })
    const deadLetters = await readTopic(`${h.prefix}payment-service.dlt`)
    expect(deadLetters.map((m) => m.key).sort()).toEqual(['garbage', 'unknown-schema'])
    for (const m of deadLetters) expect(m.headers['dlt-reason']).toEqual(expect.any(String))
    // The adjustment was handled once, as nothing.
    expect(await countRows(db, 'inbox', { event_id: adjustment.eventId })).toBe(1)
    expect(await countRows(db, 'order_payments', { order_id: unknownOrder })).toBe(0)
    expect(await countRows(db, 'payments', { order_id: unknownOrder })).toBe(0)
    expect(await countRows(db, 'outbox', { aggregate_id: unknownOrder })).toBe(0)
  })

  it('refuses a release forged for a shipped order: dead-lettered with its rule, nothing refunded, and goes on', async () => {
    const db = h.app.db
    const customerId = await newCustomer(db, eur(10_000))
    const orderId = randomUUID()
    await place({ orderId, customerId })
    await send(encoded('StockReserved', stockReserved(orderId, customerId, eur(4_000))), encoded('OrderShipped', orderShipped(orderId)))
    await eventually(async () => expect(await countRows(db, 'order_payments', { order_id: orderId })).toBe(1), { timeoutMs: 30_000 })
    const forged = stockReleased(orderId)
    const { marker, untilPassed } = await placedMarker()

    await send(encoded('StockReleased', forged), encoded('StockReserved', marker))

    await untilPassed()
    expect(await balanceOf(db, customerId)).toBe(6_000)
    expect(await countRows(db, 'payments', { order_id: orderId, kind: 'REFUND' })).toBe(0)
    expect(await countRows(db, 'outbox', { aggregate_id: orderId, event_type: 'PaymentRefunded' })).toBe(0)
    const deadLetters = (await readTopic(`${h.prefix}payment-service.dlt`)).filter((m) => m.key === orderId)
    expect(deadLetters.map((m) => m.headers['dlt-reason'])).toEqual(['refused: release-after-shipment'])
  })

  it('an order charged and refunded: StockReserved replayed after it (the same message, or a new one) charges nothing', async () => {
    const db = h.app.db
    const customerId = await newCustomer(db, eur(10_000))
    const orderId = randomUUID()
    const reserved = encoded('StockReserved', stockReserved(orderId, customerId, eur(2_000)))
    await place({ orderId, customerId })
    await send(reserved, encoded('StockReleased', stockReleased(orderId)))
    await eventually(async () => expect((await db('order_payments').where({ order_id: orderId }).first())?.state).toBe('SETTLED'), { timeoutMs: 30_000 })
    const before = await stateOf(customerId, orderId)
    expect(before.balance).toBe(10_000)

    const { marker, untilPassed } = await placedMarker()
    await send(reserved, encoded('StockReserved', stockReserved(orderId, customerId, eur(2_000))), encoded('StockReserved', marker))

    await untilPassed()
    expect(await stateOf(customerId, orderId)).toEqual(before)
  })

  it('refuses a StockReserved for an order order-service never placed, once order.events is read to its end: nothing charged, and goes on', async () => {
    const db = h.app.db
    const victim = await newCustomer(db, eur(10_000))
    const madeUp = randomUUID()
    const { marker, untilPassed } = await placedMarker()

    await send(encoded('StockReserved', stockReserved(madeUp, victim, eur(9_000))), encoded('StockReserved', marker))

    await untilPassed()
    expect(await balanceOf(db, victim)).toBe(10_000)
    expect(await stateOf(victim, madeUp)).toEqual({ balance: 10_000, orderPayment: undefined, payments: 0, outbox: 0 })
    expect(await deadLettersOf(madeUp)).toEqual(['refused: charge-of-unplaced-order'])
  })

  it('refuses a StockReserved of a placed order that names another customer, or other lines, or a total that is not its lines', async () => {
    const db = h.app.db
    const owner = await newCustomer(db, eur(10_000))
    const victim = await newCustomer(db, eur(10_000))
    const [forOther, otherLines, badTotal] = [randomUUID(), randomUUID(), randomUUID()]
    await place({ orderId: forOther, customerId: owner }, { orderId: otherLines, customerId: owner }, { orderId: badTotal, customerId: owner })
    const asked = stockReserved(otherLines, owner, eur(1_000))
    const more = { ...asked, lines: [{ ...asked.lines[0]!, quantity: 5 }], total: eur(5_000) }
    const inflated = { ...stockReserved(badTotal, owner, eur(1_000)), total: eur(8_000) }
    const { marker, untilPassed } = await placedMarker()

    await send(
      encoded('StockReserved', stockReserved(forOther, victim, eur(1_000))),
      encoded('StockReserved', more),
      encoded('StockReserved', inflated),
      encoded('StockReserved', marker),
    )

    await untilPassed()
    expect([await balanceOf(db, owner), await balanceOf(db, victim)]).toEqual([10_000, 10_000])
    expect(await deadLettersOf(forOther)).toEqual(['refused: charge-of-another-customer'])
    expect(await deadLettersOf(otherLines)).toEqual(['refused: charge-not-as-placed'])
    expect(await deadLettersOf(badTotal)).toEqual(['refused: charge-not-as-placed'])
  })

  it('refuses an accepted ReservationAdjusted of a charged order whose modification order-service never asked for: nothing charged', async () => {
    const db = h.app.db
    const { customerId, orderId } = await chargedThroughBroker(eur(1_000))
    const { marker, untilPassed } = await placedMarker()

    await send(encoded('ReservationAdjusted', reservationAdjusted(orderId, eur(6_000))), encoded('StockReserved', marker))

    await untilPassed()
    expect(await balanceOf(db, customerId)).toBe(9_000)
    expect(await deadLettersOf(orderId)).toEqual(['refused: adjustment-not-requested'])
  })

  it('waits, and never refuses, while the facts consumer has not recorded an order placed before its StockReserved', async () => {
    const db = h.app.db
    const customerId = await newCustomer(db, eur(10_000))
    const orderId = randomUUID()
    const before = await retriesAwaitingFacts()
    // Hold the facts consumer: its insert of the OrderPlaced blocks behind this lock (reads go on).
    const blocker = await db.transaction()
    try {
      await blocker.raw('LOCK TABLE placed_orders IN EXCLUSIVE MODE')
      await place({ orderId, customerId })
      await send(encoded('StockReserved', stockReserved(orderId, customerId, eur(2_500))))
      await eventually(async () => expect(await retriesAwaitingFacts()).toBeGreaterThanOrEqual(before + 2), { timeoutMs: 30_000 })
      expect(await balanceOf(db, customerId)).toBe(10_000)
      expect(await deadLettersOf(orderId)).toEqual([])
    } finally {
      await blocker.commit()
    }
    await eventually(async () => expect(await balanceOf(db, customerId)).toBe(7_500), { timeoutMs: 30_000 })
    expect(await deadLettersOf(orderId)).toEqual([])
    expect(await countRows(db, 'payments', { order_id: orderId })).toBe(1)
  })

  const reservationFailed = (orderId: string) => ({
    ...eventEnvelope(orderId),
    reason: 'insufficient stock', shortLines: [{ productId: 'p-1', requested: 1, available: 0 }],
  })

  it('refuses a StockReserved that follows stock\'s StockReservationFailed of the order: nothing charged', async () => {
    const db = h.app.db
    const customerId = await newCustomer(db, eur(10_000))
    const orderId = randomUUID()
    await place({ orderId, customerId })
    const { marker, untilPassed } = await placedMarker()

    await send(encoded('StockReservationFailed', reservationFailed(orderId)), encoded('StockReserved', stockReserved(orderId, customerId, eur(9_000))), encoded('StockReserved', marker))

    await untilPassed()
    expect(await balanceOf(db, customerId)).toBe(10_000)
    expect(await countRows(db, 'payments', { order_id: orderId })).toBe(0)
    expect(await deadLettersOf(orderId)).toEqual(['refused: charge-of-closed-order'])
  })

  it('refuses a StockReservationFailed of an order it charged on a StockReserved: one of the two is forged, nothing moves', async () => {
    const { customerId, orderId } = await chargedThroughBroker(eur(9_000))
    const before = await stateOf(customerId, orderId)

    await send(encoded('StockReservationFailed', reservationFailed(orderId)))

    await eventually(async () => expect(await deadLettersOf(orderId)).toEqual(['refused: reservation-failed-after-charge']), { timeoutMs: 30_000 })
    expect(await stateOf(customerId, orderId)).toEqual(before)
  })

  it('refuses an accepted ReservationAdjusted after stock refused that modification: nothing charged for it', async () => {
    const db = h.app.db
    const customerId = await newCustomer(db, eur(10_000))
    const orderId = randomUUID()
    const modificationId = randomUUID()
    await place({ orderId, customerId })
    const { eventId, correlationId, causationId, occurredAt } = orderPlaced(orderId, customerId)
    const requested = { eventId, orderId, correlationId, causationId, occurredAt, modificationId, items: [{ productId: 'p-1', quantity: 1 }] }
    await forger.sendKeyed('order.events', encoded('OrderModificationRequested', requested))
    await send(encoded('StockReserved', stockReserved(orderId, customerId, eur(1_000))))
    await eventually(async () => expect(await balanceOf(db, customerId)).toBe(9_000), { timeoutMs: 30_000 })
    const refused = { ...reservationAdjusted(orderId, eur(1_000), false), modificationId }
    const forged = { ...reservationAdjusted(orderId, eur(6_000)), modificationId, lines: [{ productId: 'p-1', quantity: 1, unitPrice: eur(6_000) }] }
    const { marker, untilPassed } = await placedMarker()

    await send(encoded('ReservationAdjusted', refused), encoded('ReservationAdjusted', forged), encoded('StockReserved', marker))

    await untilPassed()
    expect(await balanceOf(db, customerId)).toBe(9_000)
    expect(await deadLettersOf(orderId)).toEqual(['refused: adjustment-already-answered'])
  })

  // Last in the file: it leaves the facts consumer a backlog of orders to record.
  it('refuses a StockReserved for an order never placed while orders keep being placed faster than the facts consumer records them', async () => {
    const db = h.app.db
    const victim = await newCustomer(db, eur(10_000))
    const madeUp = randomUUID()
    let placing = true
    let placed = 0
    // About 3,000 OrderPlaced a second: more than the facts consumer records, so order.events'
    // end is always ahead of it. The refusal must come while this goes on: it needs the facts
    // consumer at the ends read once the StockReserved was in hand, not at wherever they are now.
    const load = (async () => {
      while (placing) {
        await place(...Array.from({ length: 300 }, () => ({ orderId: randomUUID(), customerId: victim })))
        placed += 300
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
    })()
    try {
      await eventually(async () => expect(placed).toBeGreaterThanOrEqual(1_000), { timeoutMs: 10_000 })
      await send(encoded('StockReserved', stockReserved(madeUp, victim, eur(9_000))))
      // Within 25 s, while orders are still being placed (the load stops only in `finally`).
      await eventually(async () => expect(await deadLettersOf(madeUp)).toEqual(['refused: charge-of-unplaced-order']), { timeoutMs: 25_000, intervalMs: 250 })
    } finally {
      placing = false
      await load
    }
    expect(await balanceOf(db, victim)).toBe(10_000)
  })
})
