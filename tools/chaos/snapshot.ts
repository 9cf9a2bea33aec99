// What the invariants read at the end of a run: the three databases' rows, outboxes and inboxes, and every message on the run's topics.
import type { OffsetsAdmin } from '@choreo/messaging/operations'
import type { Kafka } from '../lib/clients.ts'
import type { Snapshot } from './invariants.ts'
import { readTopics } from './kafka-state.ts'
import type { Service } from './plan.ts'
import type { Db } from './run-resources.ts'

type Row = Record<string, unknown>
const str = (v: unknown) => String(v)
const num = (v: unknown) => Number(v)

/**
 * Reads what the invariants need: the rows of the three services' databases, their outboxes
 * and inboxes, and every message on the run's event and dead-letter topics.
 */
export async function takeSnapshot(deps: {
  dbs: Record<Service, Db>
  groups: Record<Service, string>
  kafka: Kafka
  offsets: OffsetsAdmin
  eventTopics: readonly string[]
  deadLetterTopics: readonly string[]
}): Promise<Snapshot> {
  const { order, stock, payment } = { order: deps.dbs['order-service'], stock: deps.dbs['stock-service'], payment: deps.dbs['payment-service'] }
  const rows = (db: Db, sql: string, bindings: readonly string[] = []) => db.raw(sql, bindings).then((r: { rows: Row[] }) => r.rows)

  const services = Object.keys(deps.dbs) as Service[]
  const outbox = (await Promise.all(services.map(async (service) =>
    (await rows(deps.dbs[service], 'SELECT id, event_id, aggregate_id, topic, published_at IS NOT NULL AS published FROM outbox'))
      .map((r) => ({ service, id: num(r.id), eventId: str(r.event_id), aggregateId: str(r.aggregate_id), topic: str(r.topic), published: r.published === true })),
  ))).flat()
  const inbox = (await Promise.all(services.map(async (service) =>
    (await rows(deps.dbs[service], 'SELECT event_id FROM inbox WHERE consumer_group = ?', [deps.groups[service]]))
      .map((r) => ({ service, eventId: str(r.event_id) })),
  ))).flat()

  const messages = (await readTopics(deps.kafka, deps.offsets, deps.eventTopics)).map((m) => ({
    topic: m.topic, partition: m.partition, offset: m.offset, key: m.key?.toString() ?? null,
    eventId: m.headers['event-id'] ?? null, eventType: m.headers['event-type'] ?? null,
  }))
  const deadLetters = (await readTopics(deps.kafka, deps.offsets, deps.deadLetterTopics)).map((m) => ({
    topic: m.topic, key: m.key?.toString() ?? null, eventId: m.headers['event-id'] ?? null, eventType: m.headers['event-type'] ?? null, reason: m.headers['dlt-reason'] ?? null,
  }))

  return {
    orders: (await rows(order, 'SELECT order_id, customer_id, status, total_amount FROM orders'))
      .map((r) => ({ orderId: str(r.order_id), customerId: str(r.customer_id), status: str(r.status), total: r.total_amount === null ? null : num(r.total_amount) })),
    orderLines: (await rows(order, 'SELECT order_id, product_id, quantity FROM order_lines'))
      .map((r) => ({ orderId: str(r.order_id), productId: str(r.product_id), quantity: num(r.quantity) })),
    history: (await rows(order, 'SELECT order_id, event_id FROM order_history WHERE event_id IS NOT NULL'))
      .map((r) => ({ orderId: str(r.order_id), eventId: str(r.event_id) })),
    products: (await rows(stock, 'SELECT product_id, available, reserved FROM products'))
      .map((r) => ({ productId: str(r.product_id), available: num(r.available), reserved: num(r.reserved) })),
    reservations: (await rows(stock, 'SELECT order_id, status, total_amount, paid_amount FROM reservations'))
      .map((r) => ({ orderId: str(r.order_id), status: str(r.status), total: num(r.total_amount), paid: num(r.paid_amount) })),
    reservationLines: (await rows(stock, 'SELECT order_id, product_id, quantity FROM reservation_lines'))
      .map((r) => ({ orderId: str(r.order_id), productId: str(r.product_id), quantity: num(r.quantity) })),
    shipments: (await rows(stock, 'SELECT order_id, status FROM shipments'))
      .map((r) => ({ orderId: str(r.order_id), status: str(r.status) })),
    customers: (await rows(payment, 'SELECT customer_id, balance_amount FROM customers'))
      .map((r) => ({ customerId: str(r.customer_id), balance: num(r.balance_amount) })),
    deposits: (await rows(payment, 'SELECT deposit_id, customer_id, amount FROM deposits'))
      .map((r) => ({ depositId: str(r.deposit_id), customerId: str(r.customer_id), amount: num(r.amount) })),
    payments: (await rows(payment, 'SELECT order_id, customer_id, kind, amount, reason FROM payments'))
      .map((r) => ({ orderId: str(r.order_id), customerId: str(r.customer_id), kind: str(r.kind) === 'CHARGE' ? 'CHARGE' as const : 'REFUND' as const, amount: num(r.amount), reason: str(r.reason) })),
    orderPayments: (await rows(payment, 'SELECT order_id, charged, refunded FROM order_payments'))
      .map((r) => ({ orderId: str(r.order_id), charged: num(r.charged), refunded: num(r.refunded) })),
    outbox,
    inbox,
    messages,
    deadLetters,
  }
}
