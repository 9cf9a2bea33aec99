// What must hold after any test, whatever it did (docs/design.md, "Rules that make races
// safe"): every saga finished, no unit and no cent created or lost, nothing dead-lettered,
// nothing left in an outbox. Each test file calls this once, at its end, over all it did.
import { expect } from 'vitest'
import { consumerGroups, deadLetterTopic, prefixed } from '@choreo/contracts'
import { eventually, readTopic } from '@choreo/testkit'
import { netCharged, SAGA_TIMEOUT_MS, TERMINAL, type Order, type OrderStatus, type Shop } from './fixtures.ts'
import type { ServiceName } from './system.ts'

/**
 * Delivers every shipped order so that all end terminal, then checks the invariants over every
 * product, customer and order the shop created.
 */
export async function checkInvariants(shop: Shop): Promise<void> {
  expect(shop.orders.size, 'orders to check the invariants over').toBeGreaterThan(0)
  await deliverUntilAllTerminal(shop)
  const orders = await Promise.all([...shop.orders.keys()].map((id) => shop.order(id)))
  await expectStockConserved(shop, orders)
  await expectMoneyConserved(shop, orders)
  await expectNoDeadLetters(shop)
  await expectOutboxesPublished(shop)
}

async function deliverUntilAllTerminal(shop: Shop): Promise<void> {
  const { system } = shop
  const delivered = new Set<string>()
  await eventually(async () => {
    const rows = await system.databases.order.db('orders').whereIn('order_id', [...shop.orders.keys()]).select<{ order_id: string; status: OrderStatus }[]>('order_id', 'status')
    for (const row of rows.filter((r) => r.status === 'SHIPPED' && !delivered.has(r.order_id))) {
      const shipments = await system.admin.get<{ items: { shipmentId: string; status: string }[] }>('stock', `/shipments?orderId=${row.order_id}`)
      for (const shipment of shipments.body.items.filter((s) => s.status === 'SHIPPED')) {
        expect((await system.admin.post('stock', `/shipments/${shipment.shipmentId}/deliver`)).status).toBe(202)
      }
      delivered.add(row.order_id)
    }
    const unfinished = rows.filter((r) => !TERMINAL.includes(r.status)).map((r) => `${r.order_id}: ${r.status}`)
    expect(rows).toHaveLength(shop.orders.size)
    expect(unfinished, 'orders not finished').toEqual([])
  }, { timeoutMs: SAGA_TIMEOUT_MS, intervalMs: 250 })
}

/** initial + restocks = available + reserved + shipped, per product; nothing left reserved, nothing negative. */
async function expectStockConserved(shop: Shop, orders: readonly Order[]): Promise<void> {
  const shippedByOrders = new Map<string, number>()
  for (const order of orders.filter((o) => o.status === 'DELIVERED')) {
    for (const line of order.items) shippedByOrders.set(line.productId, (shippedByOrders.get(line.productId) ?? 0) + line.quantity)
  }
  const expected: Record<string, unknown> = {}
  const actual: Record<string, unknown> = {}
  for (const [productId, unitsIn] of shop.unitsIn) {
    const { available, reserved } = await shop.stockOf(productId)
    const shipped = shippedByOrders.get(productId) ?? 0
    expected[productId] = { onHandPlusShipped: unitsIn, reserved: 0 }
    actual[productId] = { onHandPlusShipped: available + reserved + shipped, reserved }
  }
  expect(actual, 'stock per product').toEqual(expected)

  const stockDb = shop.system.databases.stock.db
  expect(await stockDb('products').where('available', '<', 0).orWhere('reserved', '<', 0).select('product_id'), 'negative stock').toEqual([])
  expect(await stockDb('reservations').where({ status: 'RESERVED' }).select('order_id'), 'reservations still held').toEqual([])
  // stock-service's own account of what left agrees with the orders' final lines.
  const shippedByStock = await stockDb('reservation_lines as l').join('reservations as r', 'r.order_id', 'l.order_id')
    .where('r.status', 'SHIPPED').groupBy('l.product_id').select<{ product_id: string; units: string }[]>('l.product_id', stockDb.raw('sum(l.quantity) as units'))
  expect(new Map(shippedByStock.map((r) => [r.product_id, Number(r.units)])), 'units shipped, stock vs orders').toEqual(shippedByOrders)
}

/** Per customer: balance + net charged = opening + deposits; per order: net charged = total if DELIVERED, else 0. */
async function expectMoneyConserved(shop: Shop, orders: readonly Order[]): Promise<void> {
  const perOrder = await Promise.all(orders.map(async (order) => {
    const payments = await shop.paymentsOf(order.orderId)
    const net = netCharged(payments)
    const recorded = payments.charged && payments.refunded ? payments.charged.amount - payments.refunded.amount : 0
    const lineTotal = order.items.reduce((sum, l) => sum + l.quantity * (l.unitPrice?.amount ?? 0), 0)
    return {
      actual: { orderId: order.orderId, status: order.status, net, recorded, total: order.status === 'DELIVERED' ? order.total?.amount : null },
      expected: { orderId: order.orderId, status: order.status, net: order.status === 'DELIVERED' ? lineTotal : 0, recorded: net, total: order.status === 'DELIVERED' ? lineTotal : null },
    }
  }))
  expect(perOrder.map((o) => o.actual), 'money per order').toEqual(perOrder.map((o) => o.expected))

  const rows = await shop.system.databases.payment.db('payments').whereIn('customer_id', [...shop.moneyIn.keys()]).groupBy('customer_id', 'kind')
    .select<{ customer_id: string; kind: 'CHARGE' | 'REFUND'; amount: string }[]>('customer_id', 'kind', shop.system.databases.payment.db.raw('sum(amount) as amount'))
  const expected: Record<string, number> = {}
  const actual: Record<string, number> = {}
  for (const [customerId, moneyIn] of shop.moneyIn) {
    const net = rows.filter((r) => r.customer_id === customerId).reduce((sum, r) => sum + (r.kind === 'CHARGE' ? Number(r.amount) : -Number(r.amount)), 0)
    const balance = await shop.balanceOf(customerId)
    expect(balance, `balance of ${customerId}`).toBeGreaterThanOrEqual(0)
    expected[customerId] = moneyIn
    actual[customerId] = balance + net
  }
  expect(actual, 'balance + net charged per customer').toEqual(expected)
}

async function expectNoDeadLetters(shop: Shop): Promise<void> {
  for (const group of consumerGroups) {
    const letters = await readTopic(prefixed(shop.system.prefix, deadLetterTopic(group)))
    expect(letters.map((m) => `${m.headers['dlt-topic']}@${m.headers['dlt-offset']}: ${m.headers['dlt-error']}`), `dead letters of ${group}`).toEqual([])
  }
}

async function expectOutboxesPublished(shop: Shop): Promise<void> {
  const services: ServiceName[] = ['order', 'stock', 'payment']
  await eventually(async () => {
    for (const service of services) {
      const unpublished = await shop.system.databases[service].db('outbox').whereNull('published_at').select('event_type', 'aggregate_id')
      expect(unpublished, `unpublished outbox rows of ${service}-service`).toEqual([])
    }
  }, { timeoutMs: SAGA_TIMEOUT_MS })
}
