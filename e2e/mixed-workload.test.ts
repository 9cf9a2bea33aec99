import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { useShop, type Line } from './fixtures.ts'
import { checkInvariants } from './invariants.ts'

// Everything at once: orders placed, modified (once, twice), cancelled (after a modification or
// not) at random moments, by customers some of whom run out of money, for products some of
// which run out of stock. Whatever each request answers, every saga must settle consistently.

const ORDERS = 30
/** The customer acts this long after placing, at random: before, during or after the saga. */
const ACT_WITHIN_MS = 500

const ACTIONS = ['none', 'cancel', 'modify', 'modify-then-cancel', 'modify-twice'] as const

/** The rules a 409 may name: order-service refuses what the order's status no longer allows. */
const MODIFY_REFUSAL = /^(already-shipped|not-modifiable|modification-pending)$/
const CANCEL_REFUSAL = /^(already-shipped|already-terminal)$/

describe('a mixed workload of orders, modifications and cancellations', () => {
  const shop = useShop('mixed')

  it('settles every saga consistently whatever races whatever', async () => {
    const products = [await shop.product(12, 700), await shop.product(8, 1300), await shop.product(20, 250)]
    const customers = [await shop.customer(2_000), await shop.customer(6_000), await shop.customer(30_000), await shop.customer(100_000)]
    const random = (n: number) => Math.floor(Math.random() * n)
    const someLines = (): Line[] => [...products].sort(() => Math.random() - 0.5).slice(0, 1 + random(2))
      .map((productId) => ({ productId, quantity: 1 + random(4) }))
    const expectModified = async (orderId: string) => {
      const res = await shop.modify(orderId, someLines())
      if (res.status !== 202) expect(res).toMatchObject({ status: 409, body: { rule: expect.stringMatching(MODIFY_REFUSAL) } })
    }
    const expectCancelled = async (orderId: string) => {
      const res = await shop.cancel(orderId)
      if (res.status !== 202) expect(res).toMatchObject({ status: 409, body: { rule: expect.stringMatching(CANCEL_REFUSAL) } })
    }

    await Promise.all(Array.from({ length: ORDERS }, async (_, i) => {
      const orderId = await shop.placed(customers[i % customers.length]!, someLines())
      const action = ACTIONS[i % ACTIONS.length]!
      await sleep(random(ACT_WITHIN_MS))
      if (action.startsWith('modify')) await expectModified(orderId)
      if (action === 'modify-twice') await expectModified(orderId)
      if (action.endsWith('cancel')) await expectCancelled(orderId)
    }))

    await checkInvariants(shop)
  })
})
