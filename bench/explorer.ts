// Benchmark of the saga explorer's order page with 100,000 orders in the databases: its latency over HTTP, and the index each of its queries uses.
import { spawn } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import type { Knex } from 'knex'
import { eventTopics, prefixed } from '@choreo/contracts'
import { createProducer } from '@choreo/messaging'
import { freePort } from '@choreo/launcher'
import { mintToken } from '@choreo/platform'
import { createHttpClient } from './http-client.ts'
import { progress } from './log.ts'
import { untilGroupsCaughtUp } from './topic-offsets.ts'
import { percentile, round, writeResult } from './results.ts'
import { startServices } from './services.ts'
import { benchKafka, benchStack, createBenchDatabase, createBenchTopics, type BenchDatabase } from './stack.ts'

const ROOT = path.resolve(import.meta.dirname, '..')
const ORDERS = Number(process.env.BENCH_EXPLORER_ORDERS ?? 100_000)
/** Orders placed through the services, so that the topics hold real sagas to trace. */
const REAL_ORDERS = 20
/** Messages keyed by other orders on the event topics, produced before the real orders: the older traffic a page must not read through. */
const OLDER_MESSAGES = Number(process.env.BENCH_EXPLORER_OLDER_MESSAGES ?? 300_000)
/**
 * How long before the real orders the older traffic ends. The page reads the order's partitions
 * from 2 s before it was placed (saga-facts.ts, CLOCK_SKEW_MS); 0 puts a burst at 40,000 events/s
 * right before the orders, which the page then reads through.
 */
const OLDER_GAP_MS = Number(process.env.BENCH_EXPLORER_OLDER_GAP_MS ?? 5_000)
const REQUESTS = 50
/** Requests before the measured ones: the first connects to Kafka and warms the registry cache. */
const WARMUP = 3
const TARGET_MS = 200
const JWT_SECRET = 'bench-explorer-secret-0123456789abcdef'
const READY_TIMEOUT_MS = 60_000

/** The page's reads, as the tools' saga library issues them (saga-facts.ts, inbox.ts, order-service's and stock-service's repositories). */
function pageQueries(orderId: string, eventIds: string[], prefix: string): { service: 'order' | 'stock' | 'payment'; what: string; sql: string; bindings: unknown[] }[] {
  const inbox = (service: 'order' | 'stock' | 'payment') => ({
    service, what: `${service}-service inbox rows of the order's events`,
    sql: 'select event_id, handled_at from inbox where consumer_group = ? and event_id in (' + eventIds.map(() => '?').join(',') + ')',
    bindings: [`${prefix}${service}-service`, ...eventIds],
  })
  const outbox = (service: 'order' | 'stock' | 'payment') => ({
    service, what: `${service}-service unpublished outbox rows of the order`,
    sql: 'select id, aggregate_id, event_type, event_id, created_at, parked_at, parked_reason from outbox where published_at is null and discarded_at is null and aggregate_id in (?) order by id',
    bindings: [orderId],
  })
  return [
    { service: 'order', what: 'the order', sql: 'select * from orders where order_id = ?', bindings: [orderId] },
    { service: 'order', what: 'its lines', sql: 'select * from order_lines where order_id in (?)', bindings: [orderId] },
    { service: 'order', what: 'its history', sql: 'select * from order_history where order_id = ? order by id', bindings: [orderId] },
    { service: 'stock', what: 'its reservation', sql: 'select * from reservations where order_id = ?', bindings: [orderId] },
    { service: 'stock', what: 'its shipments', sql: 'select * from shipments where order_id = ?', bindings: [orderId] },
    inbox('order'), inbox('stock'), inbox('payment'), outbox('order'), outbox('stock'), outbox('payment'),
  ]
}

/** The indexes (or sequential scans) PostgreSQL's plan uses for a query. */
async function plannedScans(db: Knex, sql: string, bindings: unknown[]): Promise<string[]> {
  const rows: { 'QUERY PLAN': string }[] = (await db.raw(`explain ${sql}`, bindings as Knex.RawBinding[])).rows
  return rows.flatMap((r) => {
    const index = /Index (?:Only )?Scan(?: Backward)? using (\S+)/.exec(r['QUERY PLAN']) ?? /Bitmap Index Scan on (\S+)/.exec(r['QUERY PLAN'])
    const seq = /Seq Scan on (\S+)/.exec(r['QUERY PLAN'])
    return index ? [index[1]!] : seq ? [`sequential scan of ${seq[1]}`] : []
  })
}

/** ORDERS orders with three history rows, a line, a reservation and shipment, two inbox rows and three published outbox rows in each service: a busy shop's tables. */
async function seedOrders(dbs: Record<'order' | 'stock' | 'payment', BenchDatabase>, prefix: string): Promise<void> {
  await dbs.order.db.raw(`insert into orders (order_id, customer_id, status, currency, total_amount, shipping_address, created_at, updated_at)
    select gen_random_uuid()::text, 'bench-c' || (i % 2000), (array['SHIPPED','DELIVERED','CANCELLED','REJECTED','PAID'])[1 + i % 5], 'EUR', 1000 + i % 5000, '{}',
      now() - make_interval(secs => i), now() - make_interval(secs => i) from generate_series(1, ?) as i`, [ORDERS])
  await dbs.order.db.raw(`insert into order_lines (order_id, product_id, quantity, unit_price_amount) select order_id, 'bench-p', 1, 1000 from orders where customer_id like 'bench-c%'`)
  await dbs.order.db.raw(`insert into order_history (order_id, status, event, event_id, at)
    select order_id, status, 'StockReserved', gen_random_uuid()::text, created_at from orders, generate_series(1, 3) where customer_id like 'bench-c%'`)
  for (const service of ['order', 'stock', 'payment'] as const) {
    await dbs[service].db.raw(`insert into inbox (consumer_group, event_id, event_type, topic, partition, "offset", handled_at)
      select ?, gen_random_uuid()::text, 'StockReserved', ?, i % 6, i::text, now() from generate_series(1, ?) as i`, [`${prefix}${service}-service`, `${prefix}stock.events`, 2 * ORDERS])
  }
  await dbs.stock.db.raw(`insert into reservations (order_id, customer_id, status, currency, total_amount, paid_amount)
    select gen_random_uuid()::text, 'bench-c' || (i % 2000), 'SHIPPED', 'EUR', 1000, 1000 from generate_series(1, ?) as i`, [ORDERS])
  await dbs.stock.db.raw(`insert into shipments (shipment_id, order_id, carrier, tracking_number, status, shipped_at)
    select gen_random_uuid(), order_id, 'bench', gen_random_uuid()::text, 'SHIPPED', now() from reservations where customer_id like 'bench-c%'`)
  // Published rows the relay keeps for a day (retentionMs): the page asks only for unpublished ones.
  for (const service of ['order', 'stock', 'payment'] as const) {
    await dbs[service].db.raw(`insert into outbox (event_id, aggregate_type, aggregate_id, event_type, topic, payload, headers, created_at, published_at)
      select gen_random_uuid()::text, 'order', gen_random_uuid()::text, 'StockReserved', ?, '{}', '{}', now(), now() from generate_series(1, ?) as i`, [`${prefix}${service}.events`, 3 * ORDERS])
  }
  for (const db of Object.values(dbs)) await db.db.raw('analyze')
}

/** OLDER_MESSAGES small messages over the three event topics, keyed by as many order ids, ten thousand to a batch. */
async function produceOlderTraffic(stack: ReturnType<typeof benchStack>, prefix: string): Promise<void> {
  const producer = createProducer(benchKafka(stack, 'bench-explorer-older'))
  await producer.connect()
  try {
    const topics = Object.values(eventTopics).map((t) => prefixed(prefix, t))
    const value = Buffer.alloc(120, 1)
    // A type no saga handles, named as the relay names every event's: the services skip them undecoded.
    const headers = { 'event-type': 'OlderTraffic' }
    for (let i = 0; i < OLDER_MESSAGES; i += 10_000) {
      const batch = Array.from({ length: Math.min(10_000, OLDER_MESSAGES - i) }, (_, j) => ({ key: `older-${(i + j) % ORDERS}`, value, headers }))
      await producer.sendBatch({ acks: -1, topicMessages: topics.map((topic, t) => ({ topic, messages: batch.filter((_, j) => j % topics.length === t) })) })
    }
  } finally {
    await producer.disconnect()
  }
}

export async function benchExplorer(): Promise<void> {
  const stack = benchStack()
  const topics = await createBenchTopics(stack, 'explorer')
  const dbs = {
    order: await createBenchDatabase(stack, 'explorer_order'),
    stock: await createBenchDatabase(stack, 'explorer_stock'),
    payment: await createBenchDatabase(stack, 'explorer_payment'),
  }
  const logDir = mkdtempSync(path.join(tmpdir(), 'bench-explorer-'))
  const services = await startServices({
    stack, databaseUrls: { order: dbs.order.url, stock: dbs.stock.url, payment: dbs.payment.url }, topicPrefix: topics.prefix,
    jwtSecret: JWT_SECRET, logDir, env: {},
  })
  let explorer: ReturnType<typeof spawn> | undefined
  try {
    const admin = { authorization: `Bearer ${mintToken({ sub: 'bench', role: 'admin' }, JWT_SECRET)}` }
    const stock = createHttpClient(services.services.stock.url, 8)
    const payment = createHttpClient(services.services.payment.url, 8)
    const order = createHttpClient(services.services.order.url, 8)
    await stock.request('POST', '/products', { productId: 'bench-p', name: 'Bench product', price: { amount: 1000, currency: 'EUR' }, quantity: 1_000_000 }, admin)
    await payment.request('POST', '/customers', { customerId: 'bench-real', name: 'Bench customer', balance: { amount: 100_000_000, currency: 'EUR' } }, admin)
    const customer = { authorization: `Bearer ${mintToken({ sub: 'bench-real', role: 'customer' }, JWT_SECRET)}` }
    progress(`producing ${OLDER_MESSAGES} older messages onto the event topics`)
    await produceOlderTraffic(stack, topics.prefix)
    await new Promise((r) => setTimeout(r, OLDER_GAP_MS))
    const real: string[] = []
    for (let i = 0; i < REAL_ORDERS; i++) {
      const res = await order.request<{ orderId: string }>('POST', '/orders', {
        customerId: 'bench-real', items: [{ productId: 'bench-p', quantity: 1 }],
        shippingAddress: { name: 'Bench', line1: '1 Bench St', city: 'London', postalCode: 'N1 9GU', country: 'GB' },
      }, { ...customer, 'idempotency-key': `bench-explorer-${i}-${Date.now()}` })
      real.push(res.body.orderId)
    }
    for (;;) {
      const [row] = await dbs.order.db('orders').whereIn('order_id', real).whereNot('status', 'SHIPPED').count<{ n: string }[]>({ n: '*' })
      if (Number(row?.n) === 0) break
      await new Promise((r) => setTimeout(r, 500))
    }
    progress(`${REAL_ORDERS} orders through the saga; seeding ${ORDERS} more into the databases`)
    await seedOrders(dbs, topics.prefix)
    // The services skip the older traffic undecoded, but it is 3 × OLDER_MESSAGES messages to skip: not while the page is timed.
    const kafkaAdmin = benchKafka(stack, 'bench-explorer-lag').admin()
    await kafkaAdmin.connect()
    try {
      await untilGroupsCaughtUp(kafkaAdmin, topics.prefix, Object.values(eventTopics).map((t) => prefixed(topics.prefix, t)), { timeoutMs: 600_000, intervalMs: 1000 })
    } finally {
      await kafkaAdmin.disconnect()
    }

    const port = await freePort()
    explorer = spawn(process.execPath, [path.join(ROOT, 'explorer', 'src', 'server.ts')], {
      cwd: ROOT, stdio: 'inherit',
      env: {
        ...process.env, EXPLORER_PORT: String(port), JWT_SECRET, LOG_LEVEL: 'warn', TOPIC_PREFIX: topics.prefix,
        EXPLORER_AUDIT_FILE: path.join(logDir, 'audit.jsonl'), ORDER_DATABASE_URL: dbs.order.url, STOCK_DATABASE_URL: dbs.stock.url, PAYMENT_DATABASE_URL: dbs.payment.url,
      },
    })
    const url = `http://127.0.0.1:${port}`
    const deadline = Date.now() + READY_TIMEOUT_MS
    while (!(await fetch(`${url}/health`).then((r) => r.ok, () => false))) {
      if (Date.now() > deadline) throw new Error('the explorer did not start')
      await new Promise((r) => setTimeout(r, 200))
    }
    const cookie = `explorer_session=${mintToken({ sub: 'bench', role: 'admin' }, JWT_SECRET, 3600)}`
    const target = real.at(-1)!
    const latencies: number[] = []
    for (let i = -WARMUP; i < REQUESTS; i++) {
      const started = performance.now()
      const res = await fetch(`${url}/orders/${target}`, { headers: { cookie } })
      await res.text()
      if (res.status !== 200) throw new Error(`the saga page answered ${res.status}`)
      if (i >= 0) latencies.push(performance.now() - started)
    }
    const eventIds: string[] = (await dbs.order.db('order_history').where({ order_id: target }).whereNotNull('event_id').pluck('event_id'))
    const queries = await Promise.all(pageQueries(target, eventIds, topics.prefix).map(async (q) => ({ ...q, scans: await plannedScans(dbs[q.service].db, q.sql, q.bindings) })))
    const figures = { orders: ORDERS + REAL_ORDERS, olderMessages: OLDER_MESSAGES, olderGapMs: OLDER_GAP_MS, requests: REQUESTS, p50Ms: round(percentile(latencies, 50)), p99Ms: round(percentile(latencies, 99)), maxMs: round(Math.max(...latencies)), targetMs: TARGET_MS }
    progress(`saga page of one order among ${figures.orders}, ${OLDER_MESSAGES} older messages ending ${OLDER_GAP_MS} ms before it: p50 ${figures.p50Ms} ms, p99 ${figures.p99Ms} ms (target ≤ ${TARGET_MS} ms)`)
    for (const q of queries) progress(`  ${q.what}: ${q.scans.join(', ') || '(no table scan)'}`)
    writeResult('explorer', { ...figures, queries: queries.map((q) => ({ what: q.what, scans: q.scans })) })
  } finally {
    explorer?.kill('SIGTERM')
    await services.stop()
    await Promise.all(Object.values(dbs).map((d) => d.drop()))
    await topics.drop()
  }
}

