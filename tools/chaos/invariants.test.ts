import { describe, expect, it } from 'vitest'
import { checkInvariants, type Expectations, type Message, type Snapshot } from './invariants.ts'

// Three orders as a healthy run leaves them: A delivered, B cancelled after payment, C rejected.
// Each test breaks one thing and expects exactly the rule that protects it.
const T = { order: 't.order.events', stock: 't.stock.events', payment: 't.payment.events' } as const
type Topic = keyof typeof T

const events: { id: string; type: string; order: string; topic: Topic }[] = [
  { id: 'a1', type: 'OrderPlaced', order: 'A', topic: 'order' },
  { id: 'b1', type: 'OrderPlaced', order: 'B', topic: 'order' },
  { id: 'c1', type: 'OrderPlaced', order: 'C', topic: 'order' },
  { id: 'a2', type: 'StockReserved', order: 'A', topic: 'stock' },
  { id: 'b2', type: 'StockReserved', order: 'B', topic: 'stock' },
  { id: 'c2', type: 'StockReservationFailed', order: 'C', topic: 'stock' },
  { id: 'a3', type: 'PaymentCompleted', order: 'A', topic: 'payment' },
  { id: 'b3', type: 'PaymentCompleted', order: 'B', topic: 'payment' },
  { id: 'c3', type: 'OrderRejected', order: 'C', topic: 'order' },
  { id: 'a4', type: 'OrderShipped', order: 'A', topic: 'stock' },
  { id: 'b4', type: 'OrderCancellationRequested', order: 'B', topic: 'order' },
  { id: 'b5', type: 'StockReleased', order: 'B', topic: 'stock' },
  { id: 'b6', type: 'PaymentRefunded', order: 'B', topic: 'payment' },
  { id: 'b7', type: 'OrderCancelled', order: 'B', topic: 'order' },
  { id: 'a5', type: 'ShipmentDelivered', order: 'A', topic: 'stock' },
  { id: 'a6', type: 'OrderDelivered', order: 'A', topic: 'order' },
]

const handles = {
  'order-service': ['StockReserved', 'StockReservationFailed', 'ReservationAdjusted', 'PaymentCompleted', 'PaymentFailed', 'StockReleased', 'PaymentRefunded', 'OrderShipped', 'ShipmentDelivered'],
  'stock-service': ['OrderPlaced', 'OrderModificationRequested', 'OrderCancellationRequested', 'PaymentCompleted', 'PaymentFailed', 'PaymentRefunded'],
  'payment-service': ['StockReserved', 'ReservationAdjusted', 'StockReleased'],
}
const consumers: Record<keyof typeof handles, { topics: readonly string[]; handles: ReadonlySet<string> }> = {
  'order-service': { topics: [T.stock, T.payment], handles: new Set(handles['order-service']) },
  'stock-service': { topics: [T.order, T.payment], handles: new Set(handles['stock-service']) },
  'payment-service': { topics: [T.stock], handles: new Set(handles['payment-service']) },
}

const expectations: Expectations = {
  openingStock: new Map([['p1', 10], ['p2', 5]]),
  openingBalance: new Map([['c1', 1000]]),
  confirmedOrders: new Set(['A', 'B', 'C']),
  confirmedDeposits: new Set(['d1']),
  consumers,
  historyService: 'order-service',
  duplicatedMessages: 0,
}

function healthy(): Snapshot {
  const serviceOf = { order: 'order-service', stock: 'stock-service', payment: 'payment-service' }
  const offsets = { order: 0n, stock: 0n, payment: 0n }
  const messages: Message[] = events.map((e) => ({ topic: T[e.topic], partition: 0, offset: offsets[e.topic]++, key: e.order, eventId: e.id, eventType: e.type }))
  const inbox = Object.entries(consumers).flatMap(([service, c]) =>
    messages.filter((m) => c.topics.includes(m.topic) && c.handles.has(m.eventType ?? '')).map((m) => ({ service, eventId: m.eventId ?? '' })))
  return {
    orders: [
      { orderId: 'A', customerId: 'c1', status: 'DELIVERED', total: 200 },
      { orderId: 'B', customerId: 'c1', status: 'CANCELLED', total: 300 },
      { orderId: 'C', customerId: 'c1', status: 'REJECTED', total: null },
    ],
    orderLines: [{ orderId: 'A', productId: 'p1', quantity: 2 }, { orderId: 'B', productId: 'p2', quantity: 3 }, { orderId: 'C', productId: 'p2', quantity: 99 }],
    history: messages.filter((m) => consumers['order-service'].topics.includes(m.topic)).map((m) => ({ orderId: m.key ?? '', eventId: m.eventId ?? '' })),
    products: [{ productId: 'p1', available: 8, reserved: 0 }, { productId: 'p2', available: 5, reserved: 0 }],
    reservations: [{ orderId: 'A', status: 'SHIPPED', total: 200, paid: 200 }, { orderId: 'B', status: 'RELEASED', total: 300, paid: 300 }],
    reservationLines: [{ orderId: 'A', productId: 'p1', quantity: 2 }, { orderId: 'B', productId: 'p2', quantity: 3 }],
    shipments: [{ orderId: 'A', status: 'DELIVERED' }],
    customers: [{ customerId: 'c1', balance: 850 }],
    deposits: [{ depositId: 'd1', customerId: 'c1', amount: 50 }],
    payments: [
      { orderId: 'A', customerId: 'c1', kind: 'CHARGE', amount: 200, reason: 'order total' },
      { orderId: 'B', customerId: 'c1', kind: 'CHARGE', amount: 300, reason: 'order total' },
      { orderId: 'B', customerId: 'c1', kind: 'REFUND', amount: 300, reason: 'released' },
    ],
    orderPayments: [{ orderId: 'A', charged: 200, refunded: 0 }, { orderId: 'B', charged: 300, refunded: 300 }],
    outbox: events.map((e, i) => ({ service: serviceOf[e.topic], id: i + 1, eventId: e.id, aggregateId: e.order, topic: T[e.topic], published: true })),
    inbox,
    messages,
    deadLetters: [],
  }
}

function rulesOf(s: Snapshot, x: Expectations = expectations): string[] {
  return [...new Set(checkInvariants(s, x).violations.map((v) => v.rule))].sort()
}

describe('chaos invariants', () => {
  it('find nothing wrong with a run that lost and repeated nothing', () => {
    const verdict = checkInvariants(healthy(), expectations)
    expect(verdict.violations).toEqual([])
    expect(verdict).toMatchObject({ lost: 0, duplicatedEffects: 0, stats: { orders: { DELIVERED: 1, CANCELLED: 1, REJECTED: 1 }, events: 16, copies: 0 } })
  })

  it('accept copies of an event on its topic, and tell the relay\'s re-sends from injected duplicates', () => {
    const s = healthy()
    const copy = s.messages.find((m) => m.eventId === 'a2')!
    s.messages.push({ ...copy, offset: 100n }, { ...copy, offset: 101n })
    const verdict = checkInvariants(s, { ...expectations, duplicatedMessages: 1 })
    expect(verdict.violations).toEqual([])
    expect(verdict.stats).toMatchObject({ copies: 2, relayResends: 1 })
  })

  it('flag an order that is not terminal', () => {
    const s = healthy()
    s.orders[0]!.status = 'SHIPPED'
    expect(rulesOf(s)).toEqual(['order-not-terminal'])
  })

  it('flag an order answered 201 that order-service does not have', () => {
    const s = healthy()
    s.orders = s.orders.filter((o) => o.orderId !== 'C')
    expect(rulesOf(s)).toEqual(['confirmed-order-missing'])
    expect(checkInvariants(s, expectations).lost).toBe(1)
  })

  it('flag a second charge of an order total (a redelivered StockReserved applied twice)', () => {
    const s = healthy()
    s.payments.push({ orderId: 'A', customerId: 'c1', kind: 'CHARGE', amount: 200, reason: 'order total' })
    s.customers[0]!.balance -= 200
    s.orderPayments[0]!.charged += 200
    const verdict = checkInvariants(s, expectations)
    // stock-service counted the payment once: its paid_amount no longer matches the net charge either.
    expect(rulesOf(s)).toEqual(['charged-twice', 'paid-amount-mismatch', 'saga-inconsistent'])
    expect(verdict.duplicatedEffects).toBe(2)
  })

  it('flag a second release refund and a second shipment', () => {
    const s = healthy()
    s.payments.push({ orderId: 'B', customerId: 'c1', kind: 'REFUND', amount: 0, reason: 'released' })
    s.shipments.push({ orderId: 'A', status: 'SHIPPED' })
    expect(rulesOf(s)).toEqual(['refunded-twice', 'shipped-twice'])
  })

  it('flag stock that was not conserved, or went negative', () => {
    const s = healthy()
    s.products[0]!.available = 9
    s.products[1]!.available = -1
    s.products[1]!.reserved = 6
    expect(rulesOf(s)).toEqual(['stock-negative', 'stock-not-conserved', 'stock-reserved-mismatch'])
  })

  it('flag money that was not conserved, and order totals that disagree with their movements', () => {
    const s = healthy()
    s.customers[0]!.balance += 1
    s.orderPayments[1]!.refunded = 0
    expect(rulesOf(s)).toEqual(['money-not-conserved', 'order-payment-mismatch'])
  })

  it('flag a deposit answered 201 that payment-service does not have', () => {
    const s = healthy()
    s.deposits = []
    s.customers[0]!.balance -= 50
    expect(rulesOf(s)).toEqual(['confirmed-deposit-missing'])
  })

  it('flag services that disagree on how an order ended', () => {
    const s = healthy()
    s.reservations[0]!.status = 'RELEASED'
    s.products[0]!.available = 10
    expect(rulesOf(s)).toEqual(['saga-inconsistent'])
    const c = healthy()
    c.payments = c.payments.filter((p) => p.kind !== 'REFUND')
    c.customers[0]!.balance -= 300
    c.orderPayments[1]!.refunded = 0
    expect(rulesOf(c)).toEqual(['saga-inconsistent'])
  })

  it('count an outbox row never published and missing from its topic as one lost event', () => {
    const s = healthy()
    s.messages = s.messages.filter((m) => m.eventId !== 'b7')
    s.outbox.find((r) => r.eventId === 'b7')!.published = false
    const verdict = checkInvariants(s, expectations)
    expect(rulesOf(s)).toEqual(['outbox-not-on-topic', 'outbox-unpublished'])
    expect(verdict.lost).toBe(1)
  })

  it('flag a message no outbox wrote', () => {
    const s = healthy()
    s.messages.push({ topic: T.order, partition: 0, offset: 50n, key: 'A', eventId: 'stranger', eventType: 'OrderDelivered' })
    expect(rulesOf(s)).toEqual(['message-without-origin'])
  })

  it('flag an order whose events reached the topic in another order than they were committed', () => {
    const s = healthy()
    const [placed, delivered] = [s.messages.find((m) => m.eventId === 'a1')!, s.messages.find((m) => m.eventId === 'a6')!]
    ;[placed.offset, delivered.offset] = [delivered.offset, placed.offset]
    s.messages.sort((a, b) => a.topic.localeCompare(b.topic) || Number(a.offset - b.offset))
    expect(rulesOf(s)).toEqual(['order-of-events'])
  })

  it('judge order by the first copy: a late duplicate of an early event is not a reordering', () => {
    const s = healthy()
    s.messages.push({ ...s.messages.find((m) => m.eventId === 'a1')!, offset: 99n })
    expect(rulesOf(s)).toEqual([])
  })

  it('flag an order whose events are on two partitions of one topic', () => {
    const s = healthy()
    s.messages.find((m) => m.eventId === 'a6')!.partition = 1
    expect(rulesOf(s)).toEqual(['key-split-across-partitions'])
  })

  it('flag an event a consumer never handled, and one missing from the order history', () => {
    const s = healthy()
    s.inbox = s.inbox.filter((i) => !(i.service === 'payment-service' && i.eventId === 'b5'))
    s.history = s.history.filter((h) => h.eventId !== 'a4')
    const verdict = checkInvariants(s, expectations)
    expect(rulesOf(s)).toEqual(['history-missing', 'not-consumed'])
    expect(verdict.lost).toBe(2)
  })

  it('flag an event applied twice to an order\'s history', () => {
    const s = healthy()
    s.history.push({ orderId: 'A', eventId: 'a3' })
    expect(rulesOf(s)).toEqual(['history-duplicate'])
    expect(checkInvariants(s, expectations).duplicatedEffects).toBe(1)
  })

  it('count a dead letter of a valid event as lost, and report dead letters by reason', () => {
    const s = healthy()
    s.deadLetters.push({ topic: 't.payment-service.dlt', key: 'B', eventId: 'b5', eventType: 'StockReleased', reason: 'retries exhausted' })
    s.deadLetters.push({ topic: 't.order-service.dlt', key: 'A', eventId: 'a2', eventType: 'StockReserved', reason: 'handler failed' })
    const verdict = checkInvariants(s, expectations)
    expect(rulesOf(s)).toEqual(['dead-lettered'])
    expect(verdict.lost).toBe(2)
    expect(verdict.stats.deadLettersByReason).toEqual({ 'retries exhausted': 1, 'handler failed': 1 })
  })

  it('count a dead letter of bytes no service wrote, but do not call it a lost event', () => {
    const s = healthy()
    s.deadLetters.push({ topic: 't.stock-service.dlt', key: 'X', eventId: null, eventType: null, reason: 'undecodable' })
    const verdict = checkInvariants(s, expectations)
    expect(verdict.violations).toEqual([])
    expect(verdict.stats).toMatchObject({ deadLetters: 1, deadLettersByReason: { undecodable: 1 } })
  })

  it('flag a payment counted twice by stock-service (a duplicate PaymentCompleted applied again)', () => {
    const s = healthy()
    s.reservations[0]!.paid += 200
    const verdict = checkInvariants(s, expectations)
    expect(rulesOf(s)).toEqual(['paid-amount-mismatch'])
    expect(verdict.duplicatedEffects).toBe(1)
  })

  it('flag an adjusted refund subtracted twice from what a shipped order paid', () => {
    const s = healthy()
    // A: 250 charged, 50 refunded after a modification lowered the total to 200; stock counted the refund twice.
    s.payments[0]!.amount = 250
    s.payments.push({ orderId: 'A', customerId: 'c1', kind: 'REFUND', amount: 50, reason: 'adjusted' })
    s.orderPayments[0] = { orderId: 'A', charged: 250, refunded: 50 }
    expect(rulesOf(s)).toEqual([])
    s.reservations[0]!.paid = 150
    expect(rulesOf(s)).toEqual(['paid-amount-mismatch'])
  })

  it('flag a released reservation that counted more than was ever charged, and accept one that stopped counting at the release', () => {
    const s = healthy()
    s.reservations[1]!.paid = 0 // released before its PaymentCompleted arrived: the late payment is not counted
    expect(rulesOf(s)).toEqual([])
    s.reservations[1]!.paid = 600
    expect(rulesOf(s)).toEqual(['paid-amount-mismatch'])
  })
})
