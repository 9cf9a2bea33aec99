import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createEventCodec } from '@choreo/messaging'
import { createTestDatabase, eventually, infra, readTopic, testKafka, type TestDatabase } from '@choreo/testkit'
import { useShop, type System } from '@choreo/e2e'
import { orderKafkaLost } from './lost-order.ts'
import { jsonLines, runTool, startTool, toolEnv } from './tool-process.ts'
import { sagas } from '../lib/services.ts'

interface Forecast { judged: boolean; messages: number; deduplicated: number; handled: number; ignored: number; undecodable: number }
interface ReplayReport {
  group: string
  topic: string
  reset: boolean
  forecast: Forecast
  result?: { reread: number; deduplicated: number; handled: number; notHandled: number; ignored: number; inboxBefore: number; inboxAfter: number }
}
interface Rebuild {
  orders: number
  same: number
  different: number
  comparisons: { orderId: string; live: string | null; rebuilt: string | null; verdict: string }[]
}

// payment-service's saga (payment-service/src/saga.ts): what it does with stock.events.
/** What payment-service's saga reacts to, read from the saga itself. */
const PAYMENT_HANDLES = new Set(Object.keys(sagas['payment-service']))

describe('./choreo replay', () => {
  let system: System
  // The whole system, started before these tests and stopped after them, as every e2e test has it.
  const shop = useShop('tools-replay')
  let env: Record<string, string>
  let products: string[]
  let customers: string[]
  let orders: Record<'shipped' | 'rejected' | 'cancelled', string>
  let scratch: TestDatabase

  beforeAll(async () => {
    system = shop.system
    env = toolEnv(system.prefix, system.databases)
    scratch = await createTestDatabase('tools-read-model')
    products = [await shop.product(10, 1250), await shop.product(1, 900)]
    customers = [await shop.customer(50_000), await shop.customer(100)]
    orders = {
      shipped: await shop.placed(customers[0]!, [{ productId: products[0]!, quantity: 2 }]),
      rejected: await shop.placed(customers[0]!, [{ productId: products[1]!, quantity: 2 }]),
      cancelled: await shop.placed(customers[1]!, [{ productId: products[0]!, quantity: 1 }]),
    }
    await shop.until(orders.shipped, ['SHIPPED'])
    await shop.until(orders.rejected, ['REJECTED'])
    await shop.until(orders.cancelled, ['CANCELLED'])
    // Consumers commit offsets once a second (and on an idle consumer's empty fetch): a dry run
    // forecasts from the group's committed offsets, so wait until payment's group has committed
    // every stock event it handled.
    await untilCommittedToEnd(paymentGroup(), `${system.prefix}stock.events`)
  })
  afterAll(async () => { await scratch.drop() })

  async function untilCommittedToEnd(group: string, topic: string): Promise<void> {
    const admin = testKafka().admin()
    await admin.connect()
    try {
      await eventually(async () => {
        const ends = await admin.fetchTopicOffsets(topic)
        const [entry] = await admin.fetchOffsets({ groupId: group, topics: [topic] })
        for (const { partition, high } of ends.filter((e) => e.high !== '0')) {
          expect(entry?.partitions.find((p) => p.partition === partition)?.offset).toBe(high)
        }
      }, { timeoutMs: 30_000 })
    } finally {
      await admin.disconnect()
    }
  }

  /** Everything a replay must leave as it is. */
  async function state() {
    const inbox = async (s: 'order' | 'stock' | 'payment') => Number((await system.databases[s].db('inbox').count({ n: '*' }))[0]!.n)
    const topic = async (t: string) => (await readTopic(`${system.prefix}${t}`)).length
    return {
      balances: await Promise.all(customers.map((c) => shop.balanceOf(c))),
      stock: await Promise.all(products.map((p) => shop.stockOf(p))),
      orders: await Promise.all(Object.values(orders).map(async (o) => { const { status, total, history } = await shop.order(o); return { status, total, history: history.length } })),
      inbox: { order: await inbox('order'), stock: await inbox('stock'), payment: await inbox('payment') },
      messages: { order: await topic('order.events'), stock: await topic('stock.events'), payment: await topic('payment.events') },
    }
  }

  async function committed(group: string, topic: string): Promise<string[]> {
    const admin = testKafka().admin()
    await admin.connect()
    const [entry] = await admin.fetchOffsets({ groupId: group, topics: [topic] })
    await admin.disconnect()
    return (entry?.partitions ?? []).sort((a, b) => a.partition - b.partition).map((p) => `${p.partition}:${p.offset}`)
  }

  /** What payment-service gets again when its group goes back to the start of stock.events. */
  async function expectedForecast(): Promise<Forecast> {
    const codec = createEventCodec({ registryUrl: infra().registryUrl })
    const messages = await readTopic(`${system.prefix}stock.events`)
    const types = await Promise.all(messages.map(async (m) => (await codec.decode(m.value!)).type))
    const handled = types.filter((t) => PAYMENT_HANDLES.has(t)).length
    return { judged: true, messages: messages.length, deduplicated: handled, handled: 0, ignored: messages.length - handled, undecodable: 0 }
  }

  const replayArgs = ['--group', 'payment-service', '--topic', 'stock.events', '--from-offset', '0', '--json']
  const paymentGroup = () => `${system.prefix}payment-service`

  it('refuses while the service consumes, saying how to stop it, and moves no offset', async () => {
    const before = await committed(paymentGroup(), `${system.prefix}stock.events`)
    const run = await runTool('replay', replayArgs, env)
    expect(run.code).toBe(3)
    expect(run.stderr).toContain(`consumer group ${paymentGroup()} has 1 member(s)`)
    expect(run.stderr).toContain('kill -TERM -- -$(cat .run/pids/payment-service.pid)')
    expect(await committed(paymentGroup(), `${system.prefix}stock.events`)).toEqual(before)
  })

  it('says in a dry run what the service will do with each message, from its saga and its inbox', async () => {
    const before = await committed(paymentGroup(), `${system.prefix}stock.events`)
    const [report] = jsonLines<ReplayReport>((await runTool('replay', [...replayArgs, '--dry-run'], env)).stdout)
    expect(report).toMatchObject({ group: paymentGroup(), topic: `${system.prefix}stock.events`, reset: false, forecast: await expectedForecast() })
    expect(report!.forecast.deduplicated).toBeGreaterThanOrEqual(3)
    // From a time before everything is the same as from offset 0; from now on, nothing.
    const fromTime = ['--group', 'payment-service', '--topic', 'stock.events', '--dry-run', '--json', '--from-time']
    expect(jsonLines<ReplayReport>((await runTool('replay', [...fromTime, '1d'], env)).stdout)[0]!.forecast).toEqual(report!.forecast)
    expect(jsonLines<ReplayReport>((await runTool('replay', [...fromTime, new Date().toISOString()], env)).stdout)[0]!.forecast.messages).toBe(0)
    expect(await committed(paymentGroup(), `${system.prefix}stock.events`)).toEqual(before)
  })

  it('replays handled events with no effect: every balance, stock level and order is unchanged, and the counts say deduplicated', async () => {
    const before = await state()
    const expected = await expectedForecast()
    await system.stopService('payment')
    const replay = startTool('replay', replayArgs, env)
    await replay.waitFor(/waiting for/)
    expect(await committed(paymentGroup(), `${system.prefix}stock.events`)).toEqual(expect.arrayContaining(['0:0', '1:0', '2:0', '3:0', '4:0', '5:0']))
    await system.startService('payment')
    const run = await replay.done
    expect(run.code, run.stderr).toBe(0)
    const [report] = jsonLines<ReplayReport>(run.stdout)
    expect(report!.result).toEqual({
      reread: expected.messages, deduplicated: expected.deduplicated, handled: 0, notHandled: 0, ignored: expected.ignored,
      undecodable: 0, inboxBefore: expected.deduplicated, inboxAfter: expected.deduplicated,
    })
    // The restarted consumer's own counters agree: it got them all again, and dropped them.
    const metrics = await (await fetch(`${system.urls.payment}/metrics`)).text()
    const counter = (result: string) => Number(metrics.split('\n').find((l) => l.startsWith('consumer_messages_total{') && l.includes(`result="${result}"`))?.split(' ').at(-1) ?? 0)
    expect([counter('deduplicated'), counter('ignored'), counter('handled')]).toEqual([expected.deduplicated, expected.ignored, 0])
    expect(await state()).toEqual(before)
  })

  it('rebuilds the order status read model in a fresh consumer group, and finds it the same as the live one', async () => {
    const run = await runTool('replay', ['--read-model', '--into', scratch.url, '--json'], env)
    expect(run.code, run.stderr).toBe(0)
    const [rebuild] = jsonLines<Rebuild>(run.stdout)
    const live = await system.databases.order.db('orders').select('order_id', 'status').orderBy('order_id')
    expect(rebuild!.comparisons).toEqual(live.map((o: { order_id: string; status: string }) => ({ orderId: o.order_id, live: o.status, rebuilt: o.status, verdict: 'same', inFlight: o.status === 'SHIPPED' })))
    expect(await scratch.db('order_status').select('order_id', 'status').orderBy('order_id')).toEqual(live)
    // The rebuild's group is gone, and the services' groups did not move.
    const admin = testKafka().admin()
    await admin.connect()
    const { groups } = await admin.listGroups()
    await admin.disconnect()
    expect(groups.filter((g) => g.groupId.startsWith(`${system.prefix}read-model`))).toEqual([])
  })

  it('reports an order whose events Kafka no longer has as such, not as in flight', async () => {
    const lost = await orderKafkaLost(system.databases.order.db)
    try {
      const run = await runTool('replay', ['--read-model', '--into', scratch.url, '--json'], env)
      expect(run.code).toBe(1)
      const [rebuild] = jsonLines<Rebuild & { eventsMissing: number }>(run.stdout)
      expect(rebuild!.comparisons.filter((c) => c.verdict !== 'same')).toEqual([{ orderId: lost, live: 'PAID', rebuilt: null, verdict: 'events missing', inFlight: false }])
      expect(rebuild!.eventsMissing).toBe(1)
      const text = await runTool('replay', ['--read-model', '--into', scratch.url], env)
      expect(text.stdout).toMatch(new RegExp(`${lost}\\s+PAID\\s+-\\s+events missing: no topic has an event of it; Kafka lost them`))
      expect(text.stdout).not.toContain('in flight')
    } finally {
      await system.databases.order.db('order_history').where({ order_id: lost }).delete()
      await system.databases.order.db('orders').where({ order_id: lost }).delete()
    }
  })

  it('reports an order whose live status is not what its events say', async () => {
    await system.databases.order.db('orders').where({ order_id: orders.rejected }).update({ status: 'CANCELLED' })
    try {
      const run = await runTool('replay', ['--read-model', '--into', scratch.url, '--json'], env)
      expect(run.code).toBe(1)
      const [rebuild] = jsonLines<Rebuild>(run.stdout)
      expect(rebuild!.comparisons.filter((c) => c.verdict !== 'same')).toEqual([{ orderId: orders.rejected, live: 'CANCELLED', rebuilt: 'REJECTED', verdict: 'different', inFlight: false }])
    } finally {
      await system.databases.order.db('orders').where({ order_id: orders.rejected }).update({ status: 'REJECTED' })
    }
  })

  it('refuses to move a group forward: that would skip what it has not consumed', async () => {
    const topic = `${system.prefix}stock.events`
    const partition = Object.entries(Object.groupBy(await readTopic(topic), (m) => m.partition)).find(([, ms]) => (ms?.length ?? 0) >= 2)![0]
    const admin = testKafka().admin()
    await admin.connect()
    await admin.setOffsets({ groupId: `${system.prefix}lagging`, topic, partitions: [{ partition: Number(partition), offset: '0' }] })
    await admin.disconnect()
    const run = await runTool('replay', ['--group', 'lagging', '--topic', 'stock.events', '--from-offset', '1', '--partition', partition, '--dry-run'], env)
    expect(run.code).toBe(1)
    expect(run.stderr).toContain(`partition ${partition}: offset 1 is ahead of group ${system.prefix}lagging (at 0); a replay only moves back, and this would skip 1 message(s)`)
  })
})
