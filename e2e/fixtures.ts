// A test's shop: products and customers with ids of their own, orders placed as their customer,
// and a record of everything that went in, so invariants.ts can check that it all adds up.
import { randomUUID } from 'node:crypto'
import { expect } from 'vitest'
import { eventually, startedForTests } from '@choreo/testkit'
import type { OrderDetail, OrderStatus } from '@choreo/order-service'
import { startSystem, type Response, type ServiceName, type System } from './system.ts'

export type Order = OrderDetail
export type { OrderStatus }

export interface Line {
  productId: string
  quantity: number
}

export interface Money {
  amount: number
  currency: string
}

export interface Product {
  productId: string
  price: Money
  available: number
  reserved: number
}

export interface Payment {
  kind: 'CHARGE' | 'REFUND'
  amount: Money
  reason: string
}

export interface Payments {
  items: Payment[]
  charged: Money | null
  refunded: Money | null
}

const CURRENCY = 'EUR'
export const ADDRESS = { name: 'Ada Lovelace', line1: '12 St James Sq', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' }

/** How long a saga may take: generous, the machine is shared and every step is a hop through Kafka. */
export const SAGA_TIMEOUT_MS = 45_000
/** Polling interval: dozens of orders are watched at once, so poll gently. */
const POLL_MS = 250

export const TERMINAL: readonly OrderStatus[] = ['DELIVERED', 'REJECTED', 'CANCELLED']

export interface Shop {
  readonly system: System
  /** A product with its own id, `quantity` units available at `price` cents. */
  product(quantity: number, price?: number): Promise<string>
  /** A customer with its own id and this opening balance in cents. */
  customer(balance: number): Promise<string>
  restock(productId: string, quantity: number): Promise<void>
  deposit(customerId: string, amount: number): Promise<void>
  /** POST /orders as the customer; a placed order is remembered for the invariants. */
  place(customerId: string, items: readonly Line[], idempotencyKey?: string): Promise<Response<Order>>
  /** Places and expects 201: the order id. */
  placed(customerId: string, items: readonly Line[]): Promise<string>
  order(orderId: string): Promise<Order>
  /** Waits until the order is in one of `statuses`. */
  until(orderId: string, statuses: readonly OrderStatus[]): Promise<Order>
  /** Waits until every order is in one of `statuses`, watching them with one query rather than a request each. */
  untilAll(orderIds: readonly string[], statuses: readonly OrderStatus[]): Promise<Order[]>
  /** POST /orders/:id/cancel as the customer, with an Idempotency-Key of its own. */
  cancel(orderId: string): Promise<Response<Order>>
  modify(orderId: string, items: readonly Line[]): Promise<Response<Order>>
  stockOf(productId: string): Promise<Product>
  balanceOf(customerId: string): Promise<number>
  paymentsOf(orderId: string): Promise<Payments>
  /** Units put in per product: the initial quantity plus restocks. */
  readonly unitsIn: ReadonlyMap<string, number>
  /** Money put in per customer: the opening balance plus deposits. */
  readonly moneyIn: ReadonlyMap<string, number>
  /** Every order placed: order id → customer id. */
  readonly orders: ReadonlyMap<string, string>
}

/** Charges less refunds of one order, in cents. */
export function netCharged(payments: Payments): number {
  return payments.items.reduce((sum, p) => sum + (p.kind === 'CHARGE' ? p.amount.amount : -p.amount.amount), 0)
}

/**
 * The shop of this test file (or describe block), on a whole system of its own started before
 * its tests and stopped after them; `settings` adds environment variables per service.
 */
export function useShop(label: string, settings: Partial<Record<ServiceName, Record<string, string>>> = {}): Shop {
  return createShop(startedForTests(() => startSystem(`e2e-${label}`, settings), (system) => system.stop()), label)
}

export function createShop(system: System, label: string): Shop {
  const unitsIn = new Map<string, number>()
  const moneyIn = new Map<string, number>()
  const orders = new Map<string, string>()
  const uniqueId = (kind: string) => `${label}-${kind}-${randomUUID().slice(0, 8)}`

  function customerOf(orderId: string): string {
    const customerId = orders.get(orderId)
    if (!customerId) throw new Error(`order ${orderId} was not placed through this shop`)
    return customerId
  }

  const shop: Shop = {
    system, unitsIn, moneyIn, orders,

    async product(quantity, price = 1000) {
      const productId = uniqueId('prod')
      const res = await system.admin.post('stock', '/products', { productId, name: productId, price: { amount: price, currency: CURRENCY }, quantity })
      expect(res.status, JSON.stringify(res.body)).toBe(201)
      unitsIn.set(productId, quantity)
      return productId
    },

    async customer(balance) {
      const customerId = uniqueId('cust')
      const res = await system.admin.post('payment', '/customers', { customerId, name: customerId, balance: { amount: balance, currency: CURRENCY } })
      expect(res.status, JSON.stringify(res.body)).toBe(201)
      moneyIn.set(customerId, balance)
      return customerId
    },

    async restock(productId, quantity) {
      const res = await system.admin.post('stock', `/products/${productId}/restock`, { quantity }, { 'idempotency-key': randomUUID() })
      expect(res.status, JSON.stringify(res.body)).toBe(200)
      unitsIn.set(productId, (unitsIn.get(productId) ?? 0) + quantity)
    },

    async deposit(customerId, amount) {
      const res = await system.admin.post('payment', `/customers/${customerId}/deposits`, { amount }, { 'idempotency-key': randomUUID() })
      expect(res.status, JSON.stringify(res.body)).toBe(201)
      moneyIn.set(customerId, (moneyIn.get(customerId) ?? 0) + amount)
    },

    async place(customerId, items, idempotencyKey = randomUUID()) {
      const res = await system.as(customerId).post<Order>('order', '/orders', { customerId, items, shippingAddress: ADDRESS }, { 'idempotency-key': idempotencyKey })
      if (res.status === 201) orders.set(res.body.orderId, customerId)
      return res
    },

    async placed(customerId, items) {
      const res = await shop.place(customerId, items)
      expect(res.status, JSON.stringify(res.body)).toBe(201)
      return res.body.orderId
    },

    async order(orderId) {
      const res = await system.as(customerOf(orderId)).get<Order>('order', `/orders/${orderId}`)
      expect(res.status, JSON.stringify(res.body)).toBe(200)
      return res.body
    },

    async until(orderId, statuses) {
      return eventually(async () => {
        const order = await shop.order(orderId)
        expect(statuses, `order ${orderId} is ${order.status} (${order.reason ?? 'no reason'})`).toContain(order.status)
        return order
      }, { timeoutMs: SAGA_TIMEOUT_MS, intervalMs: POLL_MS })
    },

    async untilAll(orderIds, statuses) {
      await eventually(async () => {
        const rows = await system.databases.order.db('orders').whereIn('order_id', orderIds).select<{ order_id: string; status: OrderStatus }[]>('order_id', 'status')
        const waiting = rows.filter((r) => !statuses.includes(r.status)).map((r) => `${r.order_id}: ${r.status}`)
        expect({ found: rows.length, waiting }).toEqual({ found: orderIds.length, waiting: [] })
      }, { timeoutMs: SAGA_TIMEOUT_MS, intervalMs: POLL_MS })
      return Promise.all(orderIds.map((id) => shop.order(id)))
    },

    cancel: (orderId) => system.as(customerOf(orderId)).post<Order>('order', `/orders/${orderId}/cancel`, {}, { 'idempotency-key': randomUUID() }),
    modify: (orderId, items) => system.as(customerOf(orderId)).patch<Order>('order', `/orders/${orderId}`, { items }),

    async stockOf(productId) {
      const res = await system.admin.get<Product>('stock', `/products/${productId}`)
      expect(res.status, JSON.stringify(res.body)).toBe(200)
      return res.body
    },

    async balanceOf(customerId) {
      const res = await system.admin.get<{ balance: Money }>('payment', `/customers/${customerId}`)
      expect(res.status, JSON.stringify(res.body)).toBe(200)
      return res.body.balance.amount
    },

    async paymentsOf(orderId) {
      const res = await system.admin.get<Payments>('payment', `/payments?orderId=${orderId}`)
      expect(res.status, JSON.stringify(res.body)).toBe(200)
      return res.body
    },
  }
  return shop
}
