import { describe, expect, it } from 'vitest'
import type { EventType } from '@choreo/contracts'
import type { RawMessage } from '@choreo/messaging/operations'
import { deadLetterOf } from './dead-letters.ts'
import type { GroupPosition, SagaFacts, SeenEvent, Surroundings } from './saga-facts.ts'
import { buildTrace } from './saga-trace.ts'
import type { ServiceName } from './services.ts'

const T0 = Date.UTC(2026, 0, 1, 12)
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const topicOf = { OrderPlaced: 'order.events', StockReserved: 'stock.events', PaymentCompleted: 'payment.events', OrderShipped: 'stock.events' } as Record<string, string>

function seen(type: EventType, eventId: string, at: number, offset: number): SeenEvent {
  return {
    topic: topicOf[type]!, partition: 2, offset: BigInt(offset), timestamp: at + 5, type, schemaId: 1, eventId, occurredAt: at, payload: { eventId, orderId: 'o-1' },
    headers: { 'event-id': eventId, traceparent: `00-${TRACE}-00f067aa0ba902b7-01`, 'correlation-id': 'c-1' },
  }
}

function group(service: ServiceName, members: number, committed: Record<string, number>): [ServiceName, GroupPosition] {
  return [service, { group: service, state: members > 0 ? 'Stable' : 'Empty', members, committed: new Map(Object.entries(committed).map(([k, v]) => [k, BigInt(v)])) }]
}

const around: Surroundings = {
  prefix: '', startedAt: T0 + 59_000, now: T0 + 60_000,
  groups: new Map([
    group('order-service', 1, { 'stock.events:2': 10, 'payment.events:2': 10 }),
    group('stock-service', 1, { 'order.events:2': 10, 'payment.events:2': 10 }),
    group('payment-service', 0, { 'stock.events:2': 3 }),
  ]),
}

const order = { orderId: 'o-1', customerId: 'ada', status: 'STOCK_RESERVED' as const, items: [], total: { amount: 5850, currency: 'EUR' }, shipment: null, reason: null, history: [] }

function facts(extra: Partial<SagaFacts> = {}): SagaFacts {
  return {
    orderId: 'o-1', order, placedAt: T0, modificationPending: false, reservation: null, shipments: [],
    history: [
      { orderId: 'o-1', status: 'PENDING', event: 'OrderPlaced', eventId: null, reason: null, at: new Date(T0) },
      { orderId: 'o-1', status: 'STOCK_RESERVED', event: 'StockReserved', eventId: 'e-2', reason: null, at: new Date(T0 + 130) },
    ],
    events: [seen('StockReserved', 'e-2', T0 + 100, 4), seen('OrderPlaced', 'e-1', T0, 7)],
    unreadable: [], deadLetters: [], unpublished: [],
    inbox: [
      { group: 'stock-service', eventId: 'e-1', handledAt: new Date(T0 + 40) },
      { group: 'order-service', eventId: 'e-2', handledAt: new Date(T0 + 130) },
    ],
    ...extra,
  }
}

describe('a saga trace', () => {
  it('orders the events in time, with who produced each, who handled it and how long after', () => {
    const trace = buildTrace(facts(), around)
    expect(trace.steps.map((s) => [s.type, s.producer, s.sincePreviousMs])).toEqual([['OrderPlaced', 'order-service', null], ['StockReserved', 'stock-service', 100]])
    expect(trace.steps[0]!.consumers).toEqual([{ service: 'stock-service', group: 'stock-service', state: 'handled', handledAt: new Date(T0 + 40).toISOString(), afterMs: 35 }])
    expect(trace.traceIds).toEqual([TRACE])
  })

  it("says which service has not handled an event, and why: here its group is behind and has no member", () => {
    const trace = buildTrace(facts(), around)
    const payment = trace.steps[1]!.consumers.find((c) => c.service === 'payment-service')
    expect(payment?.state).toBe('not consumed yet')
    expect(trace.missing).toEqual([
      'StockReserved handled by payment-service? no: not consumed yet: group payment-service is at offset 3 on stock.events[2], the event is at 4 (0 member(s), Empty: is payment-service running?)',
    ])
  })

  it('points at the dead letter and the command that sends it back', () => {
    const letter: RawMessage = {
      topic: 'payment-service.dlt', partition: 0, offset: 9n, timestamp: T0 + 200, key: Buffer.from('o-1'), value: null,
      headers: { 'event-id': 'e-2', 'event-type': 'StockReserved', 'dlt-group': 'payment-service', 'dlt-reason': 'handler failed', 'dlt-error': 'boom', 'dlt-topic': 'stock.events', 'dlt-partition': '2', 'dlt-offset': '4' },
    }
    const trace = buildTrace(facts({ deadLetters: [deadLetterOf(letter)] }), around)
    expect(trace.missing).toEqual(['StockReserved handled by payment-service? no: dead-lettered as payment-service.dlt:0:9 (handler failed: boom); after a fix: ./choreo dlq redrive payment-service.dlt:0:9'])
  })

  it('tells a group past the event without an inbox row apart from one behind it', () => {
    const ahead = new Map(around.groups)
    ahead.set('payment-service', group('payment-service', 1, { 'stock.events:2': 5 })[1])
    expect(buildTrace(facts(), { ...around, groups: ahead }).steps[1]!.consumers.find((c) => c.service === 'payment-service')?.state).toBe('consumed, not recorded')
  })

  it('reports outbox rows the relay has not published', () => {
    const trace = buildTrace(facts({ unpublished: [{ service: 'payment-service', eventType: 'PaymentCompleted', eventId: 'e-3', createdAt: new Date(T0 + 30_000) }] }), around)
    expect(trace.missing).toContain("PaymentCompleted enqueued by payment-service 30.0s ago is not published yet: is payment-service's relay running?")
  })

  it('says which row is parked and why, and which rows of the order wait behind it', () => {
    const unpublished = [
      { service: 'payment-service' as const, eventType: 'PaymentCompleted', eventId: 'e-3', createdAt: new Date(T0 + 30_000), parked: { ref: 'payment-service:outbox:9', reason: 'topic payment.events does not exist' } },
      { service: 'payment-service' as const, eventType: 'PaymentRefunded', eventId: 'e-4', createdAt: new Date(T0 + 40_000) },
    ]
    expect(buildTrace(facts({ unpublished }), around).missing).toEqual(expect.arrayContaining([
      'PaymentCompleted enqueued by payment-service 30.0s ago is parked, it cannot be published: topic payment.events does not exist. Fix that, then ./choreo dlq retry payment-service:outbox:9 (or dlq discard it)',
      'PaymentRefunded enqueued by payment-service 20.0s ago waits behind the parked payment-service:outbox:9',
    ]))
  })

  it('counts copies of one event once, and calls a handled, final saga complete', () => {
    const events = [seen('OrderPlaced', 'e-1', T0, 7), seen('OrderPlaced', 'e-1', T0, 8)]
    const trace = buildTrace(facts({ events, history: [facts().history[0]!], order: { ...order, status: 'REJECTED' } }), around)
    expect(trace.steps.map((s) => [s.type, s.copies])).toEqual([['OrderPlaced', 2]])
    expect(trace).toMatchObject({ final: true, missing: [], atRest: null })
  })

  it('calls a SHIPPED saga with nothing missing at rest, and names the one request it accepts: the delivery', () => {
    const shipment = { shipmentId: 's-1', orderId: 'o-1', carrier: 'DHL', trackingNumber: 'JD0000000001', status: 'SHIPPED' as const, shippedAt: new Date(T0 + 300), deliveredAt: null }
    const history = [facts().history[0]!]
    const trace = buildTrace(facts({ events: [seen('OrderPlaced', 'e-1', T0, 7)], history, order: { ...order, status: 'SHIPPED' }, shipments: [shipment] }), around)
    expect(trace.missing).toEqual([])
    expect(trace.atRest).toMatch(/SHIPPED is not final/)
    expect(trace.accepts).toEqual(['POST stock-service /shipments/s-1/deliver (admin, for the carrier) → DELIVERED'])
  })

  it('names what a PAID order waiting for its fulfilment delay accepts: shipping now, a cancellation, a modification', () => {
    const scheduled = { at: new Date(T0 + 62_000), correlationId: 'c-1', causationId: 'e-3' }
    const reservation = { orderId: 'o-1', customerId: 'ada', status: 'RESERVED' as const, total: { amount: 5850, currency: 'EUR' }, paid: 5850, lines: [], scheduled, pendingRaise: null }
    const history = [facts().history[0]!]
    const trace = buildTrace(facts({ events: [seen('OrderPlaced', 'e-1', T0, 7)], history, inbox: [facts().inbox[0]!], order: { ...order, status: 'PAID' }, reservation }), around)
    expect(trace.missing).toEqual([])
    expect(trace.atRest).toContain(`stock-service ships it at ${scheduled.at.toISOString()}`)
    expect(trace.accepts).toEqual([
      'POST stock-service /shipments {"orderId":"o-1"} (admin) → ships it now, ahead of the fulfilment delay',
      'POST order-service /orders/o-1/cancel (its customer, with an Idempotency-Key) → CANCELLED unless it ships first',
      'PATCH order-service /orders/o-1 (its customer) → new lines, if stock has them',
    ])
    const late = buildTrace(facts({ events: [seen('OrderPlaced', 'e-1', T0, 7)], history, inbox: [facts().inbox[0]!], order: { ...order, status: 'PAID' }, reservation }), { ...around, now: T0 + 90_000 })
    expect(late.missing).toEqual([expect.stringMatching(/^stock-service was to ship it at .* ago: is stock-service running\?/)])
  })

  it('reports events order-service recorded that no topic has any more as lost from Kafka, not at rest', () => {
    const trace = buildTrace(facts({ events: [], inbox: [], order: { ...order, status: 'PAID' } }), around)
    expect(trace.lostFromKafka).toEqual(['StockReserved', 'OrderPlaced'])
    expect(trace.missing).toEqual([expect.stringMatching(/^2 event\(s\) order-service recorded are on no topic: StockReserved, OrderPlaced\. Kafka lost them/)])
    expect(trace.atRest).toBeNull()
  })

  it('does not call an event lost while it waits in an outbox, nor one recorded as the topics were read', () => {
    const recent = { orderId: 'o-1', status: 'STOCK_RESERVED' as const, event: 'OrderModificationRequested', eventId: null, reason: null, at: new Date(T0 + 58_500) }
    const unpublished = [{ service: 'order-service' as const, eventType: 'OrderPlaced', eventId: 'e-1', createdAt: new Date(T0) }]
    const trace = buildTrace(facts({ events: [seen('StockReserved', 'e-2', T0 + 100, 4)], unpublished, history: [...facts().history, recent] }), around)
    expect(trace.lostFromKafka).toEqual([])
  })
})
