import { setTimeout as sleep } from 'node:timers/promises'
import { isDeepStrictEqual } from 'node:util'
import { describe, expect, it } from 'vitest'
import { eventually } from '@choreo/testkit'
import { useShop, netCharged, SAGA_TIMEOUT_MS, TERMINAL, type Line, type Order } from './fixtures.ts'
import { checkInvariants } from './invariants.ts'
import { holdRow } from './row-lock.ts'

// Changing an order's lines before it ships (docs/design.md): stock adjusts the reservation all
// or nothing, payment settles the difference, and stock ships only once payments cover the
// reservation. Payment follows the reservation within milliseconds, so the tests that need a
// modification to land before it hold the customer's row in payment-service meanwhile;
// fulfilment.test.ts modifies paid orders while stock waits for its fulfilment delay.

/** The racing modifications arrive this long after placing, at random: before, during and after payment. */
const MODIFY_WITHIN_MS = 800

describe('modifying an order', () => {
  const shop = useShop('modify')
  const { system } = shop

  const linesOf = (order: Order) => order.items.map((l) => ({ productId: l.productId, quantity: l.quantity }))
  const byProduct = (lines: readonly Line[]) => [...lines].sort((a, b) => a.productId.localeCompare(b.productId))

  /** Places an order and holds it at STOCK_RESERVED (payment cannot charge) while `during` runs. */
  async function placedAndHeld(customerId: string, items: Line[], during: (orderId: string) => Promise<void>): Promise<string> {
    const held = await holdRow(system.databases.payment.db, 'customers', { customer_id: customerId })
    try {
      const orderId = await shop.placed(customerId, items)
      await shop.until(orderId, ['STOCK_RESERVED'])
      await during(orderId)
      return orderId
    } finally {
      await held.release()
    }
  }

  async function untilTotal(orderId: string, amount: number): Promise<Order> {
    return eventually(async () => {
      const order = await shop.order(orderId)
      expect(order.total?.amount).toBe(amount)
      return order
    }, { timeoutMs: SAGA_TIMEOUT_MS })
  }

  it('raises an order before payment: it ships once the extra is charged, with the new lines and total', async () => {
    const teapot = await shop.product(10, 1000)
    const mug = await shop.product(5, 400)
    const customerId = await shop.customer(100_000)
    const orderId = await placedAndHeld(customerId, [{ productId: teapot, quantity: 2 }], async (id) => {
      const res = await shop.modify(id, [{ productId: teapot, quantity: 5 }, { productId: mug, quantity: 1 }])
      expect(res.status, JSON.stringify(res.body)).toBe(202)
      await untilTotal(id, 5400)
      expect(await shop.stockOf(teapot)).toMatchObject({ available: 5, reserved: 5 })
      expect(await shop.stockOf(mug)).toMatchObject({ available: 4, reserved: 1 })
    })
    const shipped = await shop.until(orderId, ['SHIPPED', ...TERMINAL])
    expect(shipped).toMatchObject({ status: 'SHIPPED', total: { amount: 5400 }, reason: null })
    expect(byProduct(linesOf(shipped))).toEqual(byProduct([{ productId: teapot, quantity: 5 }, { productId: mug, quantity: 1 }]))
    const payments = await shop.paymentsOf(orderId)
    expect(payments.items.map((p) => [p.kind, p.amount.amount, p.reason])).toEqual([['CHARGE', 2000, 'order total'], ['CHARGE', 3400, 'modification']])
    expect(await shop.stockOf(teapot)).toMatchObject({ available: 5, reserved: 0 })
    expect(await shop.balanceOf(customerId)).toBe(100_000 - 5400)
  })

  it('lowers an order before payment, dropping a line: it ships at once and the difference is refunded', async () => {
    const teapot = await shop.product(10, 1000)
    const mug = await shop.product(5, 400)
    const customerId = await shop.customer(100_000)
    const orderId = await placedAndHeld(customerId, [{ productId: teapot, quantity: 5 }, { productId: mug, quantity: 2 }], async (id) => {
      expect((await shop.modify(id, [{ productId: teapot, quantity: 1 }])).status).toBe(202)
      await untilTotal(id, 1000)
      expect(await shop.stockOf(teapot)).toMatchObject({ available: 9, reserved: 1 })
      expect(await shop.stockOf(mug)).toMatchObject({ available: 5, reserved: 0 })
    })
    expect(await shop.until(orderId, ['SHIPPED', ...TERMINAL])).toMatchObject({ status: 'SHIPPED', total: { amount: 1000 }, items: [{ productId: teapot, quantity: 1 }] })
    await eventually(async () => {
      const payments = await shop.paymentsOf(orderId)
      expect(payments.items.map((p) => [p.kind, p.amount.amount, p.reason])).toEqual([['CHARGE', 5800, 'order total'], ['REFUND', 4800, 'adjusted']])
    }, { timeoutMs: SAGA_TIMEOUT_MS })
    expect(await shop.stockOf(teapot)).toMatchObject({ available: 9, reserved: 0 })
    expect(await shop.stockOf(mug)).toMatchObject({ available: 5, reserved: 0 })
    expect(await shop.balanceOf(customerId)).toBe(100_000 - 1000)
  })

  it('keeps the old lines when the new ones cannot be reserved, and says why', async () => {
    const teapot = await shop.product(3, 1000)
    const customerId = await shop.customer(100_000)
    const orderId = await placedAndHeld(customerId, [{ productId: teapot, quantity: 2 }], async (id) => {
      expect((await shop.modify(id, [{ productId: teapot, quantity: 10 }])).status).toBe(202)
      const refused = await eventually(async () => {
        const order = await shop.order(id)
        expect(order.reason).toBe(`modification refused: insufficient stock: ${teapot} (requested 10, available 3)`)
        return order
      }, { timeoutMs: SAGA_TIMEOUT_MS })
      expect(refused).toMatchObject({ status: 'STOCK_RESERVED', total: { amount: 2000 }, items: [{ productId: teapot, quantity: 2 }] })
      expect(await shop.stockOf(teapot)).toMatchObject({ available: 1, reserved: 2 })
      // The refusal is the answer to the modification: another may follow.
      expect((await shop.modify(id, [{ productId: teapot, quantity: 3 }])).status).toBe(202)
      await untilTotal(id, 3000)
    })
    expect(await shop.until(orderId, ['SHIPPED', ...TERMINAL])).toMatchObject({ status: 'SHIPPED', total: { amount: 3000 }, items: [{ productId: teapot, quantity: 3 }] })
    expect(netCharged(await shop.paymentsOf(orderId))).toBe(3000)
    expect(await shop.stockOf(teapot)).toMatchObject({ available: 0, reserved: 0 })
  })

  /**
   * 2 teapots placed by a customer who has 3,000, raised to 5 before payment charges anything
   * (`meanwhile` runs then too); payment charges the 2 placed, cannot charge the 3 more, and stock
   * goes back to the 2, which are paid for. Checks that the order ships as placed, charged once.
   */
  async function declinedRaise(meanwhile: (orderId: string) => Promise<void> = async () => {}): Promise<Order> {
    const teapot = await shop.product(10, 1000)
    const customerId = await shop.customer(3_000)
    const orderId = await placedAndHeld(customerId, [{ productId: teapot, quantity: 2 }], async (id) => {
      expect((await shop.modify(id, [{ productId: teapot, quantity: 5 }])).status).toBe(202)
      await untilTotal(id, 5000)
      await meanwhile(id)
    })
    const shipped = await shop.until(orderId, ['SHIPPED', ...TERMINAL])
    expect(shipped).toMatchObject({ status: 'SHIPPED', total: { amount: 2000 }, items: [{ productId: teapot, quantity: 2 }] })
    await eventually(async () => {
      const payments = await shop.paymentsOf(orderId)
      expect(payments.items.map((p) => [p.kind, p.amount.amount, p.reason])).toEqual([['CHARGE', 2000, 'order total']])
    }, { timeoutMs: SAGA_TIMEOUT_MS })
    expect(await shop.balanceOf(customerId)).toBe(1_000)
    expect(await shop.stockOf(teapot)).toMatchObject({ available: 8, reserved: 0 })
    return shipped
  }

  it('refuses a raise the customer cannot pay: the order keeps its lines and payment, and ships them', async () => {
    expect((await declinedRaise()).reason).toContain('modification refused: payment declined')
  })

  it('refuses a modification while an earlier raise awaits payment, then ships the order as paid', async () => {
    // Stock holds the raise to 5 until payment answers: the lowering to 1 that follows is refused.
    await declinedRaise(async (id) => {
      const teapot = (await shop.order(id)).items[0]!.productId
      expect((await shop.modify(id, [{ productId: teapot, quantity: 1 }])).status).toBe(202)
      await eventually(async () => expect((await shop.order(id)).reason).toBe('modification refused: an earlier modification awaits payment'), { timeoutMs: SAGA_TIMEOUT_MS })
    })
  })

  it('refuses to modify a shipped order (409 already-shipped)', async () => {
    const teapot = await shop.product(10, 1000)
    const customerId = await shop.customer(100_000)
    const orderId = await shop.placed(customerId, [{ productId: teapot, quantity: 1 }])
    await shop.until(orderId, ['SHIPPED'])
    expect(await shop.modify(orderId, [{ productId: teapot, quantity: 2 }])).toMatchObject({ status: 409, body: { rule: 'already-shipped' } })
    expect(await shop.order(orderId)).toMatchObject({ status: 'SHIPPED', total: { amount: 1000 }, items: [{ productId: teapot, quantity: 1 }] })
  })

  it('settles every modification racing the payment: charged = final total, stock moved = final lines', async () => {
    const teapot = await shop.product(200, 1000)
    const mug = await shop.product(200, 400)
    const customers = [await shop.customer(1_000_000), await shop.customer(1_000_000)]
    const racing = Array.from({ length: 8 }, (_, i) => ({
      before: [{ productId: teapot, quantity: 3 }],
      after: i % 2 === 0 ? [{ productId: teapot, quantity: 5 }, { productId: mug, quantity: 2 }] : [{ productId: teapot, quantity: 1 }],
      customerId: customers[i % customers.length]!,
    }))
    await Promise.all(racing.map(async ({ before, after, customerId }) => {
      const orderId = await shop.placed(customerId, before)
      await sleep(Math.floor(Math.random() * MODIFY_WITHIN_MS))
      const res = await shop.modify(orderId, after)
      if (res.status === 409) expect(res.body).toMatchObject({ rule: 'already-shipped' })
      else expect(res.status, JSON.stringify(res.body)).toBe(202)
      const order = await shop.until(orderId, ['SHIPPED', ...TERMINAL])
      expect(order.status).toBe('SHIPPED')
      const lines = byProduct(linesOf(order))
      // Accepted: the new lines. Refused by order-service or by stock (already shipped): the old.
      expect([byProduct(before), ...(res.status === 202 ? [byProduct(after)] : [])]).toContainEqual(lines)
      if (res.status === 202 && isDeepStrictEqual(lines, byProduct(before))) {
        // Stock shipped before it saw the modification; its refusal follows the shipment.
        await eventually(async () => expect((await shop.order(orderId)).reason).toBe('modification refused: already shipped'), { timeoutMs: SAGA_TIMEOUT_MS })
      }
      expect(order.total?.amount).toBe(order.items.reduce((sum, l) => sum + l.quantity * (l.unitPrice?.amount ?? 0), 0))
      await eventually(async () => expect(netCharged(await shop.paymentsOf(orderId))).toBe(order.total?.amount), { timeoutMs: SAGA_TIMEOUT_MS })
      const shipped = await system.databases.stock.db('reservation_lines').where({ order_id: orderId }).select<Line[]>('product_id as productId', 'quantity')
      expect(byProduct(shipped)).toEqual(lines)
    }))
  })

  it('leaves every saga finished and every invariant holding', async () => {
    await checkInvariants(shop)
  })
})
