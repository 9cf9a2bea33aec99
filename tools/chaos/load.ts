// The chaos run's load: simulated customers and an admin over HTTP (orders, cancels, changes, deposits, deliveries), recording what was confirmed.
import { setTimeout as sleep } from 'node:timers/promises'
import { mintToken } from '@choreo/platform'
import type { Api, ApiResponse } from './api.ts'
import type { Random } from './random.ts'

// The catalogue: plenty of most products, a few that run out (orders REJECTED, modifications
// refused), and one that does not exist (REJECTED for an unknown product).
const PLENTIFUL = { count: 10, quantity: 1_000_000, price: [100, 5000] } as const
const SCARCE = { count: 4, quantity: [5, 25], price: [1000, 9000] } as const
const UNLISTED_PRODUCT = 'chaos-unlisted'
// Customers: most can pay for anything, some cannot pay for much (PaymentFailed: cancelled, or a raise refused).
const RICH = { count: 24, balance: 100_000_000 } as const
const POOR = { count: 8, balance: [2_000, 15_000] } as const
const CURRENCY = 'EUR'
const ADDRESS = { name: 'Chaos Monkey', line1: '1 Fault Lane', city: 'Lisbon', postalCode: '1000-001', country: 'PT' }

/** What one worker does next, by weight. */
const ACTIONS = { place: 60, modify: 15, cancel: 15, deposit: 10 } as const
type Action = keyof typeof ACTIONS | 'deliver'
/** Orders a worker remembers to modify or cancel later. */
const RECENT_ORDERS = 20

// How long each request is retried through kills and restarts before the load gives up on it.
const RETRY = { setup: 180_000, place: 30_000, change: 15_000, deposit: 30_000, deliver: 10_000 } as const
/** A shipment is delivered once it is this old, so that some cancellations race the shipping. */
const DELIVER_AFTER_MS = 1000
const DELIVER_BATCH = 200

/** What the load did, as far as its clients know: the invariants check the databases against it. */
export interface LoadRecord {
  openingStock: Map<string, number>
  openingBalance: Map<string, number>
  /** Orders and deposits answered 201: each must exist at the end. */
  confirmedOrders: Set<string>
  confirmedDeposits: Set<string>
  /** action → HTTP status (0: never answered) → count. */
  responses: Record<string, Record<string, number>>
}

export interface Load {
  /** Creates the catalogue and the customers, recording opening stock and balances. */
  setup(): Promise<void>
  start(): void
  stop(): Promise<void>
  /** Delivers shipments that left at least DELIVER_AFTER_MS ago; how many were found. */
  deliverShipped(): Promise<number>
  readonly record: LoadRecord
}

interface OrderRef { orderId: string; customerId: string }

export function createLoad(deps: {
  api: Api
  random: Random
  jwtSecret: string
  tokenTtlSeconds: number
  workers: number
  actionsPerSecond: number
  /** Shipments still to deliver (stock-service's table), as [shipmentId]. */
  shippedBefore(cutoff: Date, limit: number): Promise<string[]>
}): Load {
  const { api, random, workers, actionsPerSecond } = deps
  const record: LoadRecord = { openingStock: new Map(), openingBalance: new Map(), confirmedOrders: new Set(), confirmedDeposits: new Set(), responses: {} }
  const admin = mintToken({ sub: 'chaos-admin', role: 'admin' }, deps.jwtSecret, deps.tokenTtlSeconds)
  const tokens = new Map<string, string>()
  const plentiful = Array.from({ length: PLENTIFUL.count }, (_, i) => `chaos-p${i}`)
  const scarce = Array.from({ length: SCARCE.count }, (_, i) => `chaos-s${i}`)
  const rich = Array.from({ length: RICH.count }, (_, i) => `chaos-rich${i}`)
  const poor = Array.from({ length: POOR.count }, (_, i) => `chaos-poor${i}`)
  let running = false
  let loops: Promise<void>[] = []

  function tokenOf(customerId: string): string {
    let token = tokens.get(customerId)
    if (!token) {
      token = mintToken({ sub: customerId, role: 'customer' }, deps.jwtSecret, deps.tokenTtlSeconds)
      tokens.set(customerId, token)
    }
    return token
  }

  function count(action: Action, res: ApiResponse): ApiResponse {
    const byStatus = (record.responses[action] ??= {})
    byStatus[res.status] = (byStatus[res.status] ?? 0) + 1
    return res
  }

  /** Creates what must exist before the load: 201, or 409 when an earlier attempt's answer was lost. */
  async function create(service: 'stock-service' | 'payment-service', path: string, body: object): Promise<void> {
    const res = await api(service, 'POST', path, { token: admin, body, retryForMs: RETRY.setup })
    if (res.status !== 201 && res.status !== 409) throw new Error(`setup: POST ${path} answered ${res.status}: ${JSON.stringify(res.body)}`)
  }

  function items(r: Random): { productId: string; quantity: number }[] {
    const chosen = new Map<string, number>()
    const lines = r.int(1, 3)
    for (let i = 0; i < lines; i++) {
      const roll = r.next()
      const productId = roll < 0.8 ? r.pick(plentiful) : roll < 0.97 ? r.pick(scarce) : UNLISTED_PRODUCT
      chosen.set(productId, r.int(1, 4))
    }
    return [...chosen].map(([productId, quantity]) => ({ productId, quantity }))
  }

  async function act(worker: number, r: Random, n: number, recent: OrderRef[]): Promise<void> {
    const action = weighted(r)
    if (action === 'place' || recent.length === 0) {
      const customerId = r.chance(0.75) ? r.pick(rich) : r.pick(poor)
      const res = count('place', await api('order-service', 'POST', '/orders', {
        token: tokenOf(customerId),
        headers: { 'idempotency-key': `order-${worker}-${n}` },
        body: { customerId, items: items(r), shippingAddress: ADDRESS, currency: CURRENCY },
        retryForMs: RETRY.place,
      }))
      const orderId = (res.body as { orderId?: string } | null)?.orderId
      if (res.status === 201 && orderId) {
        record.confirmedOrders.add(orderId)
        recent.push({ orderId, customerId })
        if (recent.length > RECENT_ORDERS) recent.shift()
      }
    } else if (action === 'modify') {
      const order = r.pick(recent)
      count('modify', await api('order-service', 'PATCH', `/orders/${order.orderId}`, { token: tokenOf(order.customerId), body: { items: items(r) }, retryForMs: RETRY.change }))
    } else if (action === 'cancel') {
      const order = r.pick(recent)
      count('cancel', await api('order-service', 'POST', `/orders/${order.orderId}/cancel`, {
        token: tokenOf(order.customerId),
        headers: { 'idempotency-key': `cancel-${worker}-${n}` },
        body: { reason: 'chaos changed its mind' },
        retryForMs: RETRY.change,
      }))
    } else {
      const customerId = r.pick([...rich, ...poor])
      const res = count('deposit', await api('payment-service', 'POST', `/customers/${customerId}/deposits`, {
        token: admin,
        headers: { 'idempotency-key': `deposit-${worker}-${n}` },
        body: { amount: r.int(1_000, 20_000) },
        retryForMs: RETRY.deposit,
      }))
      const depositId = (res.body as { depositId?: string } | null)?.depositId
      if (res.status === 201 && depositId) record.confirmedDeposits.add(depositId)
    }
  }

  function weighted(r: Random): keyof typeof ACTIONS {
    const total = Object.values(ACTIONS).reduce((a, b) => a + b, 0)
    let roll = r.next() * total
    for (const [action, weight] of Object.entries(ACTIONS) as [keyof typeof ACTIONS, number][]) {
      roll -= weight
      if (roll < 0) return action
    }
    return 'place'
  }

  async function worker(index: number): Promise<void> {
    const r = random.fork(`worker-${index}`)
    const recent: OrderRef[] = []
    const meanGapMs = (workers / actionsPerSecond) * 1000
    for (let n = 0; running; n++) {
      await act(index, r, n, recent)
      await sleep(r.exponential(meanGapMs))
    }
  }

  async function deliverShipped(): Promise<number> {
    let shipments: string[]
    try {
      shipments = await deps.shippedBefore(new Date(Date.now() - DELIVER_AFTER_MS), DELIVER_BATCH)
    } catch {
      return 0 // PostgreSQL restarting: next round
    }
    for (const shipmentId of shipments) {
      count('deliver', await api('stock-service', 'POST', `/shipments/${shipmentId}/deliver`, { token: admin, retryForMs: RETRY.deliver }))
    }
    return shipments.length
  }

  async function deliverer(): Promise<void> {
    while (running) {
      await deliverShipped()
      await sleep(DELIVER_AFTER_MS)
    }
  }

  return {
    record,
    async setup() {
      const r = random.fork('setup')
      const products = [
        ...plentiful.map((productId) => ({ productId, quantity: PLENTIFUL.quantity, amount: r.int(...PLENTIFUL.price) })),
        ...scarce.map((productId) => ({ productId, quantity: r.int(...SCARCE.quantity), amount: r.int(...SCARCE.price) })),
      ]
      const customers = [
        ...rich.map((customerId) => ({ customerId, balance: RICH.balance })),
        ...poor.map((customerId) => ({ customerId, balance: r.int(...POOR.balance) })),
      ]
      await Promise.all([
        ...products.map(async (p) => {
          await create('stock-service', '/products', { productId: p.productId, name: p.productId, price: { amount: p.amount, currency: CURRENCY }, quantity: p.quantity })
          record.openingStock.set(p.productId, p.quantity)
        }),
        ...customers.map(async (c) => {
          await create('payment-service', '/customers', { customerId: c.customerId, name: c.customerId, balance: { amount: c.balance, currency: CURRENCY } })
          record.openingBalance.set(c.customerId, c.balance)
        }),
      ])
    },
    start() {
      running = true
      loops = [...Array.from({ length: workers }, (_, i) => worker(i)), deliverer()]
    },
    async stop() {
      running = false
      await Promise.all(loops)
    },
    deliverShipped,
  }
}
