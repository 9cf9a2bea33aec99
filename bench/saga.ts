// `./choreo bench saga`: the three services under an open-loop order load at rising rates: saga and HTTP latency, CPU per order, hops.
import { randomBytes, randomUUID } from 'node:crypto'
import os from 'node:os'
import path from 'node:path'
import type { Knex } from 'knex'
import { bearer, mintToken } from '@choreo/platform'
import { sagaHops, type Hop } from './hops.ts'
import { createHttpClient, type HttpClient } from './http-client.ts'
import { progress } from './log.ts'
import { nowMs, openLoop } from './open-loop.ts'
import { machineCpu, processCpuMs, type CpuGroup } from './process-cpu.ts'
import { machineFacts, percentile, RESULTS_DIR, round, writeResult } from './results.ts'
import { pgbenchDefaults, runPgbench, type PgbenchFigures } from './pgbench.ts'
import { SERVICES, startServices, type RunningServices, type ServiceName } from './services.ts'
import { benchStack, createBenchDatabase, createBenchTopics, runName, type BenchDatabase } from './stack.ts'

export interface SagaBenchOptions {
  rates: number[]
  seconds: number
  customers: number
  /** Every n-th customer has no money (PaymentFailed, then compensation to CANCELLED). */
  brokeEvery: number
  /** Every n-th order asks for a product with no stock (REJECTED). */
  soldOutEvery: number
  /** DATABASE_POOL_MAX of each service. */
  poolMax: number
}

export const sagaDefaults: SagaBenchOptions = { rates: [100, 250, 500, 700], seconds: 60, customers: 2000, brokeEvery: 20, soldOutEvery: 20, poolMax: 10 }

/** Where an order's saga ends: SHIPPED for one that went through (delivery is a later, manual step). */
const ENDS = ['SHIPPED', 'DELIVERED', 'REJECTED', 'CANCELLED']
const PRODUCTS = Array.from({ length: 10 }, (_, i) => ({ productId: `bench-p${i}`, name: `Bench product ${i}`, price: { amount: 500 + 250 * i, currency: 'EUR' }, quantity: 1_000_000 }))
const SOLD_OUT = { productId: 'bench-sold-out', name: 'Never in stock', price: { amount: 999, currency: 'EUR' }, quantity: 0 }
const address = { name: 'Ada Lovelace', line1: '12 St James Sq', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' }
const RICH = 100_000_000
const TOKEN_TTL_S = 6 * 3600
const MAX_SOCKETS = 512
const SEED_CONCURRENCY = 16
const WARMUP = { rate: 50, seconds: 5 }
const SETTLE_TIMEOUT_MS = 180_000

interface Placed {
  orderId: string
  sentAt: number
  httpMs: number
}

interface StepFigures {
  rate: number
  seconds: number
  sent: number
  accepted: number
  acceptedPerSecond: number
  refused: Record<string, number>
  httpP50Ms: number
  httpP99Ms: number
  sagaP50Ms: number
  sagaP99Ms: number
  /** Orders that had not reached the end of their saga when the wait ran out. */
  unfinished: number
  outcomes: Record<string, number>
  cpuMsPerOrder: number
  cpuMsPerOrderByService: Record<ServiceName, number>
  /** Share of the machine's cores the services used while the step ran and drained. */
  servicesCpuShare: number
  /** Busy CPU of the whole machine per order (every process: Kafka, PostgreSQL, the services, this load generator). */
  machineCpuMsPerOrder: number
  /** Of that, the infrastructure's processes. */
  cpuMsPerOrderByInfra: Record<CpuGroup, number>
  /** Share of the machine's cores busy while the step ran and drained. */
  machineCpuShare: number
  /**
   * Transactions each service's database committed per order, from pg_stat_database: every
   * BEGIN…COMMIT and every statement outside one (the relay's reads and marks), so about the WAL
   * flushes and a floor on the round trips. PostgreSQL reports these within a second or so.
   */
  commitsPerOrder: Record<ServiceName, number>
  /**
   * Statements each service sent to its database per order (its db_statements_total), BEGIN and
   * COMMIT included: its round trips to PostgreSQL. Null for a service that does not count them (a
   * build from before the counter, run with BENCH_SERVICES_ROOT).
   */
  statementsPerOrder: Record<ServiceName, number | null>
  /** Where the saga's time went, hop by hop (see hops.ts), over a sample of the step's orders. */
  hops: Record<string, Hop>
}

/** Transactions committed in each service's database so far. */
async function commitsSoFar(dbs: Record<ServiceName, Knex>): Promise<number[]> {
  return Promise.all(SERVICES.map(async (s) => {
    const { rows } = await dbs[s].raw('SELECT xact_commit::bigint AS n FROM pg_stat_database WHERE datname = current_database()')
    return Number(rows[0].n)
  }))
}

/** Statements each service has sent to its database so far, from its /metrics; NaN where it does not count them. */
async function statementsSoFar(running: RunningServices): Promise<number[]> {
  return Promise.all(SERVICES.map(async (s) => {
    const res = await fetch(`${running.services[s].url}/metrics`)
    const line = (await res.text()).split('\n').find((l) => l.startsWith('db_statements_total'))
    return line ? Number(line.split(' ').at(-1)) : Number.NaN
  }))
}

/** PostgreSQL publishes a backend's counters at most once a second: waiting this long takes the step's last ones in. */
const STATS_FLUSH_MS = 1500

const HOP_SAMPLE = 2000

async function inBatches<T>(items: readonly T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(work))
}

async function seed(clients: Record<ServiceName, HttpClient>, adminToken: string, customers: string[], brokeEvery: number): Promise<void> {
  const auth = bearer(adminToken)
  const expectCreated = (what: string) => (res: { status: number; body: unknown }) => {
    if (res.status !== 201) throw new Error(`seeding ${what}: ${res.status} ${JSON.stringify(res.body)}`)
  }
  await inBatches([...PRODUCTS, SOLD_OUT], SEED_CONCURRENCY, (p) => clients.stock.request('POST', '/products', p, auth).then(expectCreated(p.productId)))
  await inBatches(customers, SEED_CONCURRENCY, (customerId) => clients.payment.request('POST', '/customers', {
    customerId, name: `Bench customer ${customerId}`,
    balance: { amount: customers.indexOf(customerId) % brokeEvery === 0 ? 0 : RICH, currency: 'EUR' },
  }, auth).then(expectCreated(customerId)))
}

/** Order i: one to three products for customer i (round robin); every n-th one with the sold-out product. */
function orderBody(i: number, customers: string[], soldOutEvery: number) {
  const items = PRODUCTS.slice(i % PRODUCTS.length, (i % PRODUCTS.length) + 1 + (i % 3)).map((p, k) => ({ productId: p.productId, quantity: 1 + k }))
  if (i % soldOutEvery === soldOutEvery - 1) items.push({ productId: SOLD_OUT.productId, quantity: 1 })
  return { customerId: customers[i % customers.length] as string, items, shippingAddress: address }
}

/** Waits until every order has reached the end of its saga; returns when each did (server time, from its history). */
async function sagaEnds(db: Knex, orderIds: string[]): Promise<{ endedAt: Map<string, number>; outcomes: Record<string, number>; unfinished: number }> {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS
  for (;;) {
    const [row] = await db('orders').whereIn('order_id', orderIds).whereNotIn('status', ENDS).count<{ n: string }[]>({ n: '*' })
    if (Number(row?.n) === 0 || Date.now() > deadline) break
    await new Promise((r) => setTimeout(r, 500))
  }
  const ends: { order_id: string; status: string; at: Date }[] = await db('order_history')
    .select('order_id', 'status').min({ at: 'at' })
    .whereIn('order_id', orderIds).whereIn('status', ENDS).groupBy('order_id', 'status')
  const endedAt = new Map<string, number>()
  const outcomes: Record<string, number> = {}
  for (const e of ends) {
    const at = new Date(e.at).getTime()
    const earlier = endedAt.get(e.order_id)
    if (earlier === undefined || at < earlier) endedAt.set(e.order_id, at)
    outcomes[e.status] = (outcomes[e.status] ?? 0) + 1
  }
  return { endedAt, outcomes, unfinished: orderIds.length - endedAt.size }
}

async function runStep(rate: number, seconds: number, ctx: {
  order: HttpClient; tokens: Map<string, string>; customers: string[]; opts: SagaBenchOptions; dbs: Record<ServiceName, Knex>; running: RunningServices; next: { i: number }
}): Promise<StepFigures> {
  const placed: Placed[] = []
  const refused: Record<string, number> = {}
  const cpuBefore = SERVICES.map((s) => processCpuMs(ctx.running.services[s].pid))
  const machineBefore = machineCpu()
  const commitsBefore = await commitsSoFar(ctx.dbs)
  const statementsBefore = await statementsSoFar(ctx.running)
  const wallStart = performance.now()
  const { started } = await openLoop({
    rate, seconds,
    operation: async () => {
      const body = orderBody(ctx.next.i++, ctx.customers, ctx.opts.soldOutEvery)
      const sentAt = nowMs()
      const res = await ctx.order.request<{ orderId: string }>('POST', '/orders', body, {
        ...bearer(ctx.tokens.get(body.customerId)!), 'idempotency-key': randomUUID(),
      }).catch((err: unknown) => ({ status: 0, body: { orderId: '', error: String(err) } }))
      const httpMs = nowMs() - sentAt
      if (res.status === 201) placed.push({ orderId: res.body.orderId, sentAt, httpMs })
      else refused[String(res.status)] = (refused[String(res.status)] ?? 0) + 1
    },
  })
  const { endedAt, outcomes, unfinished } = await sagaEnds(ctx.dbs.order, placed.map((p) => p.orderId))
  const wallMs = performance.now() - wallStart
  const sample = placed.filter((_, i) => i % Math.max(1, Math.ceil(placed.length / HOP_SAMPLE)) === 0).map((p) => p.orderId)
  const cpu = SERVICES.map((s, i) => processCpuMs(ctx.running.services[s].pid) - (cpuBefore[i] as number))
  const machineAfter = machineCpu()
  await new Promise((resolve) => setTimeout(resolve, STATS_FLUSH_MS))
  const commits = (await commitsSoFar(ctx.dbs)).map((n, i) => n - (commitsBefore[i] as number))
  const statements = (await statementsSoFar(ctx.running)).map((n, i) => n - (statementsBefore[i] as number))
  const machineBusyMs = machineAfter.busyMs - machineBefore.busyMs
  const cpuTotal = cpu.reduce((a, b) => a + b, 0)
  const sagaMs = placed.flatMap((p) => (endedAt.has(p.orderId) ? [(endedAt.get(p.orderId) as number) - p.sentAt] : []))
  const httpMs = placed.map((p) => p.httpMs)
  const perOrder = (ms: number) => (placed.length ? round(ms / placed.length, 2) : Number.NaN)
  return {
    rate, seconds, sent: started, accepted: placed.length, acceptedPerSecond: Math.round(placed.length / seconds), refused,
    httpP50Ms: round(percentile(httpMs, 50)), httpP99Ms: round(percentile(httpMs, 99)),
    sagaP50Ms: round(percentile(sagaMs, 50)), sagaP99Ms: round(percentile(sagaMs, 99)),
    unfinished, outcomes,
    cpuMsPerOrder: perOrder(cpuTotal),
    cpuMsPerOrderByService: Object.fromEntries(SERVICES.map((s, i) => [s, perOrder(cpu[i] as number)])) as Record<ServiceName, number>,
    servicesCpuShare: round(cpuTotal / wallMs / os.cpus().length, 2),
    machineCpuMsPerOrder: perOrder(machineBusyMs),
    cpuMsPerOrderByInfra: Object.fromEntries(Object.entries(machineAfter.byGroup).map(([g, ms]) => [g, perOrder(ms - machineBefore.byGroup[g as CpuGroup])])) as Record<CpuGroup, number>,
    machineCpuShare: round(machineBusyMs / wallMs / os.cpus().length, 2),
    commitsPerOrder: Object.fromEntries(SERVICES.map((s, i) => [s, perOrder(commits[i] as number)])) as Record<ServiceName, number>,
    statementsPerOrder: Object.fromEntries(SERVICES.map((s, i) => [s, Number.isNaN(statements[i]) ? null : perOrder(statements[i] as number)])) as Record<ServiceName, number | null>,
    hops: await sagaHops(ctx.dbs, sample),
  }
}

/** The saga's knee: the highest rate at which every order was accepted and saga p99 stayed within KNEE_P99_MS. */
const KNEE_P99_MS = 150

function kneeOf(steps: readonly StepFigures[]): number | null {
  const within = steps.filter((s) => s.accepted === s.sent && s.sagaP99Ms <= KNEE_P99_MS).map((s) => s.rate)
  return within.length === 0 ? null : Math.max(...within)
}

export async function benchSaga(opts: SagaBenchOptions): Promise<void> {
  const stack = benchStack()
  const jwtSecret = randomBytes(32).toString('hex')
  const databases: Partial<Record<ServiceName, BenchDatabase>> = {}
  const topics = await createBenchTopics(stack, 'saga')
  let running: RunningServices | undefined
  const clients: HttpClient[] = []
  try {
    for (const s of SERVICES) databases[s] = await createBenchDatabase(stack, `saga_${s}`, 2)
    const dbs = databases as Record<ServiceName, BenchDatabase>
    const machine = await machineFacts(dbs.order.db)
    progress('starting the three services')
    running = await startServices({
      stack, topicPrefix: topics.prefix, jwtSecret, logDir: path.join(RESULTS_DIR, 'saga-logs', runName('saga', '-')),
      databaseUrls: { order: dbs.order.url, stock: dbs.stock.url, payment: dbs.payment.url },
      env: { DATABASE_POOL_MAX: String(opts.poolMax) },
    })
    const { services } = running
    const http = Object.fromEntries(SERVICES.map((s) => [s, createHttpClient(services[s].url, MAX_SOCKETS)])) as Record<ServiceName, HttpClient>
    clients.push(...Object.values(http))
    const customers = Array.from({ length: opts.customers }, (_, i) => `bench-c${String(i).padStart(5, '0')}`)
    const tokens = new Map(customers.map((c) => [c, mintToken({ sub: c, role: 'customer' }, jwtSecret, TOKEN_TTL_S)]))
    progress(`seeding ${PRODUCTS.length + 1} products and ${customers.length} customers`)
    await seed(http, mintToken({ sub: 'bench-admin', role: 'admin' }, jwtSecret, TOKEN_TTL_S), customers, opts.brokeEvery)

    const ctx = { order: http.order, tokens, customers, opts, dbs: { order: dbs.order.db, stock: dbs.stock.db, payment: dbs.payment.db }, running, next: { i: 0 } }
    progress(`warm-up: ${WARMUP.rate} orders/s for ${WARMUP.seconds} s`)
    await runStep(WARMUP.rate, WARMUP.seconds, ctx)
    const steps: StepFigures[] = []
    let pgbench: PgbenchFigures | null = null
    const save = () => writeResult('saga', {
      benchmark: 'saga', at: new Date().toISOString(),
      inputs: { ...opts, products: PRODUCTS.length, warmup: WARMUP, servicesAsProcesses: true },
      machine: { ...machine, loadAverageAfter: os.loadavg().map((l) => round(l, 2)) },
      figures: { steps, complete: steps.length === opts.rates.length, kneeOrdersPerSecond: kneeOf(steps), pgbench },
      targets: { rate: 500, sagaP50Ms: 30, sagaP99Ms: 150 },
      notes: [
        'open loop: orders are sent on schedule whatever the answers; accepted = 201; HTTP latency includes waiting for one of the load generator\'s sockets',
        'saga latency: from sending POST /orders to the first history entry in SHIPPED, DELIVERED, REJECTED or CANCELLED',
        'CPU per order: user+system time of the three service processes from the start of a step until its sagas ended, over accepted orders',
        'machine CPU per order: busy time of all cores (/proc/stat) over the same span; by infra: Kafka, registry and PostgreSQL processes (/proc/<pid>/stat)',
        'every component (Kafka, registry, PostgreSQL, services, load generator) shares this machine, with other work: absolute figures vary from run to run',
      ],
    }, file)
    let file: string | undefined
    for (const rate of opts.rates) {
      progress(`${rate} orders/s for ${opts.seconds} s`)
      const step = await runStep(rate, opts.seconds, ctx)
      steps.push(step)
      file = save() // after every step, so an interrupted run still leaves its figures
      progress(`${rate}/s: accepted ${step.acceptedPerSecond}/s, http p50 ${step.httpP50Ms} p99 ${step.httpP99Ms} ms, saga p50 ${step.sagaP50Ms} p99 ${step.sagaP99Ms} ms, ${step.cpuMsPerOrder} ms CPU/order`)
      progress(`${rate}/s machine: ${step.machineCpuMsPerOrder} ms CPU/order (${Object.entries(step.cpuMsPerOrderByInfra).map(([g, ms]) => `${g} ${ms}`).join(', ')}), ${Math.round(step.machineCpuShare * 100)} % of the cores busy`)
      progress(`${rate}/s commits per order: ${SERVICES.map((s) => `${s} ${step.commitsPerOrder[s]}`).join(', ')}`)
      progress(`${rate}/s statements per order: ${SERVICES.map((s) => `${s} ${step.statementsPerOrder[s] ?? 'not counted'}`).join(', ')}`)
      progress(`${rate}/s hops p50/p99 ms: ${Object.entries(step.hops).map(([hop, h]) => `${hop} ${h.p50Ms}/${h.p99Ms}`).join(', ')}`)
    }
    // The yardstick after the rates, so that its load does not linger into them.
    progress(`pgbench: TPC-B, scale ${pgbenchDefaults.scale}, ${pgbenchDefaults.clients} clients, ${pgbenchDefaults.seconds} s`)
    pgbench = await runPgbench(stack)
    file = save()
    const knee = kneeOf(steps)
    console.log(`saga: ${steps.map((s) => `${s.rate}/s → ${s.acceptedPerSecond}/s accepted, saga p50 ${s.sagaP50Ms} p99 ${s.sagaP99Ms} ms`).join('; ')}; ${file}`)
    console.log(`knee (every order accepted, saga p99 ≤ ${KNEE_P99_MS} ms): ${knee === null ? 'below every rate tried' : `${knee} orders/s`}; pgbench ${pgbench.tps} tps (TPC-B, scale ${pgbench.scale}, ${pgbench.clients} clients)${knee === null ? '' : `: the knee is ${round(knee / pgbench.tps, 4)} of pgbench's transactions per second`}`)
  } finally {
    for (const c of clients) c.close()
    await running?.stop()
    await topics.drop()
    for (const d of Object.values(databases)) await d.drop()
  }
}
