import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TEST_JWT_SECRET } from '@choreo/testkit'
import { startSystem, type System } from '@choreo/e2e'
import { runTool } from './tool-process.ts'

describe('./choreo seed --demo-order (what ./choreo up runs)', () => {
  let system: System
  let env: Record<string, string>
  beforeAll(async () => {
    system = await startSystem('seed-demo')
    env = { JWT_SECRET: TEST_JWT_SECRET, ORDER_URL: system.urls.order, STOCK_URL: system.urls.stock, PAYMENT_URL: system.urls.payment }
  })
  afterAll(async () => { await system?.stop() })

  it('places the demo order once, however often it runs, so the explorer has a saga to show', async () => {
    const first = await runTool('seed', ['--demo-order'], env)
    expect(first.stderr).toBe('')
    expect(first.code).toBe(0)
    expect(first.stdout).toMatch(/^demo order: placed \([0-9a-f-]{36}\)$/m)
    const again = await runTool('seed', ['--demo-order'], env)
    expect(again.code).toBe(0)
    expect(again.stdout).toMatch(/^demo order: exists \([0-9a-f-]{36}\)$/m)

    const listed = await system.as('ada').get<{ items: { orderId: string; items: unknown[] }[] }>('order', '/orders')
    expect(listed.body.items).toHaveLength(1)
    const lines = listed.body.items[0]!.items as { productId: string; quantity: number }[]
    expect(lines.map((l) => [l.productId, l.quantity]).sort()).toEqual([['mug', 2], ['teapot', 1]])
  })
})
