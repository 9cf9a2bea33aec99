import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { useShop, TERMINAL } from './fixtures.ts'
import { checkInvariants } from './invariants.ts'
import { holdRow, type HeldRow } from './row-lock.ts'
import type { ServiceName } from './system.ts'

// A service stopped in the middle of sagas and started again: the outbox keeps what it had to
// say, Kafka what it had to hear, the inbox what it had already done. Every saga completes.

const ORDERS = 6
/** Long enough for the closing service to be waiting on the held row when it is let go. */
const HELD_WHILE_CLOSING_MS = 300

interface Placed {
  productId: string
  customers: string[]
  orderIds: string[]
}

describe('a service restarted in the middle of sagas', () => {
  const shop = useShop('restart')
  const { system } = shop

  // A row the service's next saga step needs, so that the restart closes it with that step in
  // flight: its transaction open, its offset not committed.
  const rowsToHold: Record<ServiceName, (placed: Placed) => Promise<HeldRow>> = {
    stock: ({ productId }) => holdRow(system.databases.stock.db, 'products', { product_id: productId }),
    payment: ({ customers }) => holdRow(system.databases.payment.db, 'customers', { customer_id: customers[0]! }),
    order: ({ orderIds }) => holdRow(system.databases.order.db, 'orders', { order_id: orderIds[0]! }),
  }

  for (const service of ['stock', 'payment', 'order'] satisfies ServiceName[]) {
    it(`completes every saga when ${service}-service restarts in the middle of them`, async () => {
      const productId = await shop.product(ORDERS, 800)
      const short = await shop.product(1, 800)
      const customers = await Promise.all(Array.from({ length: ORDERS }, () => shop.customer(10_000)))
      const poor = await shop.customer(100)
      const placed: Placed = { productId, customers, orderIds: [] }
      // The order row exists only once placed; the others are held before, so no saga outruns them.
      const held = service === 'order' ? null : await rowsToHold[service](placed)
      placed.orderIds = await Promise.all(customers.map((c) => shop.placed(c, [{ productId, quantity: 1 }])))
      const rejected = await shop.placed(customers[0]!, [{ productId: short, quantity: 2 }])
      const unpaid = await shop.placed(poor, [{ productId: short, quantity: 1 }])
      const hold = held ?? await rowsToHold[service](placed)
      let restarted: Promise<void>
      try {
        await hold.untilWaitedOn()
        restarted = system.restart(service)
        await sleep(HELD_WHILE_CLOSING_MS)
      } finally {
        await hold.release()
      }
      await restarted

      const orders = await shop.untilAll([...placed.orderIds, rejected, unpaid], ['SHIPPED', ...TERMINAL])
      expect(orders.map((o) => o.status)).toEqual([...placed.orderIds.map(() => 'SHIPPED'), 'REJECTED', 'CANCELLED'])
      expect(await shop.stockOf(productId)).toMatchObject({ available: 0, reserved: 0 })
      expect(await shop.stockOf(short)).toMatchObject({ available: 1, reserved: 0 })
      expect(await Promise.all(customers.map((c) => shop.balanceOf(c)))).toEqual(customers.map(() => 10_000 - 800))
    })
  }

  it('leaves every saga finished and every invariant holding', async () => {
    await checkInvariants(shop)
  })
})
