import { randomBytes, randomUUID } from 'node:crypto'
import { beforeAll, describe, expect, it } from 'vitest'
import type { EventType } from '@choreo/contracts'
import { createEventCodec } from '@choreo/messaging'
import { eventually, infra, readTopic } from '@choreo/testkit'
import { ADDRESS, SAGA_TIMEOUT_MS, useShop, type Order, type System } from '@choreo/e2e'
import { orderKafkaLost } from './lost-order.ts'
import { jsonLines, runTool, toolEnv } from './tool-process.ts'

interface Step {
  type: string
  eventId: string
  producer: string
  topic: string
  partition: number
  offset: number
  traceId: string | null
  consumers: { service: string; state: string; handledAt?: string }[]
}
interface Trace {
  status: string
  final: boolean
  traceIds: string[]
  steps: Step[]
  missing: string[]
  lostFromKafka: string[]
  atRest: string | null
  accepts: string[]
}

// Which services react to what (the saga.ts tables), for the events of a paid, shipped order.
const REACTING: Partial<Record<EventType, string[]>> = {
  OrderPlaced: ['stock-service'],
  StockReserved: ['order-service', 'payment-service'],
  PaymentCompleted: ['order-service', 'stock-service'],
  OrderShipped: ['order-service', 'payment-service'],
}

describe('./choreo saga', () => {
  let system: System
  // The whole system, started before these tests and stopped after them, as every e2e test has it.
  const shop = useShop('tools-saga')
  let env: Record<string, string>
  const codec = () => createEventCodec({ registryUrl: infra().registryUrl })

  beforeAll(async () => {
    system = shop.system
    env = toolEnv(system.prefix, system.databases)
  })

  /** The order's events on the three topics, decoded, in the order they happened. */
  async function eventsOf(orderId: string) {
    const c = codec()
    const messages = (await Promise.all(['order', 'stock', 'payment'].map((t) => readTopic(`${system.prefix}${t}.events`)))).flat().filter((m) => m.key === orderId)
    const decoded = await Promise.all(messages.map(async (m) => ({ ...m, ...(await c.decode(m.value!)) })))
    return decoded.sort((a, b) => Number(a.payload.occurredAt) - Number(b.payload.occurredAt))
  }

  async function handledAt(service: 'order' | 'stock' | 'payment', eventId: string): Promise<string | undefined> {
    const row = await system.databases[service].db('inbox').first('handled_at').where({ consumer_group: `${system.prefix}${service}-service`, event_id: eventId })
    return row ? new Date(row.handled_at as Date).toISOString() : undefined
  }

  it('traces an order across topics and services: each event, its producer, who handled it and when, under the trace id of the request', async () => {
    const productId = await shop.product(5, 1250)
    const customerId = await shop.customer(10_000)
    const traceId = randomBytes(16).toString('hex')
    const placed = await system.as(customerId).post<Order>('order', '/orders', { customerId, items: [{ productId, quantity: 2 }], shippingAddress: ADDRESS }, {
      'idempotency-key': randomUUID(), traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
    })
    expect(placed.status, JSON.stringify(placed.body)).toBe(201)
    const orderId = placed.body.orderId
    await eventually(async () => expect((await system.as(customerId).get<Order>('order', `/orders/${orderId}`)).body.status).toBe('SHIPPED'), { timeoutMs: SAGA_TIMEOUT_MS })
    const onTopics = await eventually(async () => {
      const events = await eventsOf(orderId)
      expect(events.map((e) => e.type)).toEqual(['OrderPlaced', 'StockReserved', 'PaymentCompleted', 'OrderShipped'])
      // ...and every reaction recorded, so the trace has nothing left in flight.
      expect(await handledAt('order', String(events[3]!.payload.eventId))).toBeDefined()
      return events
    })

    const run = await runTool('saga', ['trace', orderId, '--json'], env)
    expect(run.code, run.stderr).toBe(0)
    const [trace] = jsonLines<Trace>(run.stdout)
    expect(trace!.steps.map((s) => [s.type, s.eventId, s.topic, s.partition, s.offset, s.producer])).toEqual(onTopics.map((e) => [
      e.type, e.payload.eventId, e.topic, e.partition, Number(e.offset), `${e.topic.slice(system.prefix.length).split('.')[0]}-service`,
    ]))
    for (const step of trace!.steps) {
      expect(step.consumers.map((c) => c.service)).toEqual(REACTING[step.type as EventType])
      for (const c of step.consumers) {
        expect(c.state).toBe('handled')
        expect(c.handledAt).toBe(await handledAt(c.service.replace('-service', '') as 'order', step.eventId))
      }
    }
    expect(trace!.traceIds).toEqual([traceId])
    expect(trace).toMatchObject({ status: 'SHIPPED', final: false, missing: [] })
    expect(trace!.atRest).toMatch(/SHIPPED is not final/)
    // What the API takes for a shipped order: its delivery, not a cancellation (409 already-shipped).
    const [shipment] = (await system.admin.get<{ items: { shipmentId: string }[] }>('stock', `/shipments?orderId=${orderId}`)).body.items
    expect(trace!.accepts).toEqual([`POST stock-service /shipments/${shipment!.shipmentId}/deliver (admin, for the carrier) → DELIVERED`])
    expect((await system.as(customerId).post('order', `/orders/${orderId}/cancel`, {}, { 'idempotency-key': randomUUID() })).status).toBe(409)
    // A shipped order waits for its carrier: at rest, which saga stuck counts but does not list.
    const stuck = await runTool('saga', ['stuck', '--older-than', '0s'], env)
    expect(stuck).toMatchObject({ code: 0, stdout: 'no order older than 0ms waits on anything; 1 at rest (--at-rest lists them)\n' })

    const text = await runTool('saga', ['trace', orderId], env)
    expect(text.stdout).toContain(`order ${orderId} · customer ${customerId} · SHIPPED (not final) · total 25.00 EUR`)
    expect(text.stdout).toContain(`trace id ${traceId}`)
    for (const e of onTopics) expect(text.stdout).toMatch(new RegExp(`${e.type}\\s+\\S+-service\\s+${e.topic.replaceAll('.', '\\.')}\\[${e.partition}\\]@${e.offset}`))
  })

  it('says what is missing when a handler fails (the dead letter, and how to redrive it), and saga stuck lists the order', async () => {
    const productId = await shop.product(5, 700)
    const customerId = await shop.customer(10_000)
    // payment-service cannot charge without its table: StockReserved is dead-lettered.
    await system.databases.payment.db.raw('ALTER TABLE order_payments RENAME TO order_payments_away')
    try {
      const orderId = await shop.placed(customerId, [{ productId, quantity: 1 }])
      const letter = await eventually(async () => {
        const found = (await readTopic(`${system.prefix}payment-service.dlt`)).find((m) => m.key === orderId)
        expect(found).toBeDefined()
        return found!
      }, { timeoutMs: 30_000 })
      await shop.until(orderId, ['STOCK_RESERVED'])
      const id = `${letter.topic}:${letter.partition}:${letter.offset}`

      const run = await runTool('saga', ['trace', orderId, '--json'], env)
      expect(run.code).toBe(1)
      const [trace] = jsonLines<Trace>(run.stdout)
      expect(trace!.missing).toEqual([`StockReserved handled by payment-service? no: dead-lettered as ${id} (handler failed: ${letter.headers['dlt-error']}); after a fix: ./choreo dlq redrive ${id}`])
      expect(trace!.steps.find((s) => s.type === 'StockReserved')?.consumers.map((c) => [c.service, c.state])).toEqual([['order-service', 'handled'], ['payment-service', 'dead-lettered']])

      const stuck = await runTool('saga', ['stuck', '--older-than', '0s', '--json'], env)
      expect(stuck.code).toBe(1)
      const [listed] = jsonLines<{ orderId: string; status: string; lastEvent: { type: string }; missing: string[]; atRest: boolean }[]>(stuck.stdout)
      // Only what waits on something: the other unfinished orders are SHIPPED, at rest.
      expect(listed).toEqual([expect.objectContaining({ orderId, status: 'STOCK_RESERVED', lastEvent: expect.objectContaining({ type: 'StockReserved' }), missing: trace!.missing, atRest: false })])
      const all = await runTool('saga', ['stuck', '--older-than', '0s', '--at-rest', '--json'], env)
      const [everything] = jsonLines<typeof listed>(all.stdout)
      const unfinished = await system.databases.order.db('orders').select('order_id').whereNotIn('status', ['DELIVERED', 'REJECTED', 'CANCELLED'])
      expect(unfinished.length).toBeGreaterThan(1)
      expect(everything!.map((s) => s.orderId).sort()).toEqual(unfinished.map((r: { order_id: string }) => r.order_id).sort())
      expect(everything!.filter((s) => s.orderId !== orderId).every((s) => s.atRest && s.status === 'SHIPPED')).toBe(true)

      const table = await runTool('saga', ['stuck', '--older-than', '0s'], env)
      expect(table.stdout).toMatch(new RegExp(`${orderId}\\s+STOCK_RESERVED\\s+.*StockReserved by stock-service.*StockReserved handled by payment-service\\? no: dead-lettered`))
    } finally {
      await system.databases.payment.db.raw('ALTER TABLE order_payments_away RENAME TO order_payments')
    }
  })

  it('reports an order whose events Kafka no longer has: trace names them, stuck lists the order, neither calls it at rest', async () => {
    const orderId = await orderKafkaLost(system.databases.order.db)
    try {
      const run = await runTool('saga', ['trace', orderId, '--json'], env)
      expect(run.code).toBe(1)
      const [trace] = jsonLines<Trace>(run.stdout)
      expect(trace).toMatchObject({ status: 'PAID', steps: [], atRest: null, lostFromKafka: ['StockReserved', 'PaymentCompleted', 'OrderPlaced'] })
      expect(trace!.missing).toEqual([expect.stringMatching(/^3 event\(s\) order-service recorded are on no topic: StockReserved, PaymentCompleted, OrderPlaced\. Kafka lost them/)])
      const text = await runTool('saga', ['trace', orderId], env)
      expect(text.stdout).toContain('no event of this order is on the topics')
      expect(text.stdout).not.toContain('nothing is pending')

      const stuck = await runTool('saga', ['stuck', '--older-than', '30s', '--json'], env)
      expect(stuck.code).toBe(1)
      const [listed] = jsonLines<{ orderId: string; missing: string[]; atRest: boolean }[]>(stuck.stdout)
      expect(listed!.find((s) => s.orderId === orderId)).toMatchObject({ missing: trace!.missing, atRest: false })
    } finally {
      await system.databases.order.db('order_history').where({ order_id: orderId }).delete()
      await system.databases.order.db('orders').where({ order_id: orderId }).delete()
    }
  })

  it('fails at once, naming the topics, under a prefix that has none', async () => {
    const run = await runTool('saga', ['trace', randomUUID(), '--prefix', 'no-such-prefix.'], env)
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('no topic no-such-prefix.order.events, no-such-prefix.stock.events, no-such-prefix.payment.events')
  })

  it('lists nothing when every unfinished order is younger than --older-than', async () => {
    const run = await runTool('saga', ['stuck', '--older-than', '1d'], env)
    expect(run).toMatchObject({ code: 0, stdout: 'no order older than 24h00m is unfinished\n' })
  })
})
