import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newEvent, type NewEvent } from '@choreo/contracts'
import { createEventCodec, type EventCodec } from '@choreo/messaging'
import { createTestTopics, infra, readTopic, testKafka } from '@choreo/testkit'
import { jsonLines, runTool, startTool, toolEnv } from './tool-process.ts'

interface Line {
  topic: string
  partition: number
  offset: number
  timestamp: string
  key: string
  type: string
  schemaId: number
  headers: Record<string, string>
  payload: Record<string, unknown>
}

describe('./choreo events tail', () => {
  let prefix: string
  let codec: EventCodec
  let env: Record<string, string>
  const producer = testKafka().producer()
  const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()]
  let between: string

  async function publish(events: NewEvent[]): Promise<void> {
    for (const e of events) {
      const orderId = String((e.data as { orderId: string }).orderId)
      const payload = { eventId: randomUUID(), correlationId: `corr-${orderId}`, causationId: null, occurredAt: Date.now(), ...e.data }
      const topic = `${prefix}${e.type.startsWith('Stock') ? 'stock' : 'order'}.events`
      await producer.send({ topic, messages: [{ key: orderId, value: codec.encode(e.type, payload), headers: { 'event-id': payload.eventId, 'event-type': e.type } }] })
      // The tail orders events of different topics by timestamp (milliseconds): two sent within one
      // would tie, and their order would be the tool's choice, not the order they were published in.
      await new Promise((r) => setTimeout(r, 3))
    }
  }

  const placed = (orderId: string) => newEvent('OrderPlaced', {
    orderId, customerId: 'ada', items: [{ productId: 'mug', quantity: 2 }], currency: 'EUR',
    shippingAddress: { name: 'Ada', line1: '1 Loop Road', city: 'Delft', postalCode: '2611', country: 'NL' },
  })
  const reserved = (orderId: string) => newEvent('StockReserved', {
    orderId, customerId: 'ada', lines: [{ productId: 'mug', quantity: 2, unitPrice: { amount: 1200, currency: 'EUR' } }], total: { amount: 2400, currency: 'EUR' },
  })

  beforeAll(async () => {
    prefix = await createTestTopics('tools-events')
    env = toolEnv(prefix)
    codec = createEventCodec({ registryUrl: infra().registryUrl })
    await codec.register(['OrderPlaced', 'StockReserved', 'OrderCancelled'])
    await producer.connect()
    await publish([placed(a), reserved(a), placed(b)])
    await new Promise((r) => setTimeout(r, 50))
    between = new Date().toISOString()
    await new Promise((r) => setTimeout(r, 50))
    await publish([reserved(b), placed(c)])
  })
  afterAll(async () => { await producer.disconnect() })

  async function everything(): Promise<Line[]> {
    const messages = (await Promise.all(['order.events', 'stock.events', 'payment.events'].map((t) => readTopic(`${prefix}${t}`)))).flat()
    return Promise.all(messages.map(async (m) => {
      const { type, schemaId, payload } = await codec.decode(m.value!)
      return { topic: m.topic, partition: m.partition, offset: Number(m.offset), key: m.key!, type, schemaId, headers: m.headers, payload: JSON.parse(JSON.stringify(payload)) as Record<string, unknown>, timestamp: '' }
    }))
  }
  const withoutTime = (l: Line) => ({ ...l, timestamp: '' })

  it('prints every event of every topic, decoded, in the order they were published', async () => {
    const run = await runTool('events', ['tail', 'all', '--from-beginning'], env)
    expect(run.code).toBe(0)
    const lines = jsonLines<Line>(run.stdout)
    expect(lines.map(withoutTime).sort((x, y) => x.topic.localeCompare(y.topic) || x.partition - y.partition || x.offset - y.offset))
      .toEqual((await everything()).sort((x, y) => x.topic.localeCompare(y.topic) || x.partition - y.partition || x.offset - y.offset))
    expect(lines.map((l) => l.timestamp)).toEqual(lines.map((l) => l.timestamp).sort())
    expect(lines.map((l) => `${l.type} ${l.key}`)).toEqual([`OrderPlaced ${a}`, `StockReserved ${a}`, `OrderPlaced ${b}`, `StockReserved ${b}`, `OrderPlaced ${c}`])
  })

  it("shows one order's events with --key, and only those since a time with --since", async () => {
    const mine = jsonLines<Line>((await runTool('events', ['tail', 'all', '--key', b], env)).stdout)
    expect(mine.map((l) => [l.type, l.key, l.payload.orderId])).toEqual([['OrderPlaced', b, b], ['StockReserved', b, b]])
    const since = jsonLines<Line>((await runTool('events', ['tail', 'all', '--since', between], env)).stdout)
    expect(since.map((l) => `${l.type} ${l.key}`)).toEqual([`StockReserved ${b}`, `OrderPlaced ${c}`])
  })

  it('shows the newest N with --last, of one topic when named', async () => {
    const last = jsonLines<Line>((await runTool('events', ['tail', 'all', '--last', '2'], env)).stdout)
    expect(last.map((l) => `${l.type} ${l.key}`)).toEqual([`StockReserved ${b}`, `OrderPlaced ${c}`])
    const stock = jsonLines<Line>((await runTool('events', ['tail', 'stock.events', '--from-beginning'], env)).stdout)
    expect(stock.map((l) => `${l.topic} ${l.key}`)).toEqual([`${prefix}stock.events ${a}`, `${prefix}stock.events ${b}`])
  })

  it('keeps printing new events with --follow until interrupted', async () => {
    const d = randomUUID()
    const follow = startTool('events', ['tail', 'all', '--follow', '--key', d], env)
    await publish([placed(d)])
    await follow.waitFor(/OrderPlaced/)
    // The first was printed, so the snapshot is over: this one can only come through following.
    await publish([newEvent('OrderCancelled', { orderId: d, reason: 'changed my mind' })])
    await follow.waitFor(/OrderCancelled/)
    follow.interrupt()
    const run = await follow.done
    expect(run.code).toBe(0)
    expect(jsonLines<Line>(run.stdout).map((l) => [l.type, l.key])).toEqual([['OrderPlaced', d], ['OrderCancelled', d]])
  })

  it('prints a table with --format table: where, key, type and the business fields', async () => {
    const run = await runTool('events', ['tail', 'all', '--key', a, '--format', 'table'], env)
    const [header, ...rows] = run.stdout.trim().split('\n')
    expect(header).toMatch(/^TIME\s+TOPIC\[PARTITION\]@OFFSET\s+KEY\s+TYPE\s+PAYLOAD$/)
    const onTopic = (await everything()).filter((l) => l.key === a)
    expect(rows).toHaveLength(2)
    rows.forEach((row, i) => {
      const m = onTopic.find((l) => l.type === ['OrderPlaced', 'StockReserved'][i])!
      expect(row).toContain(`${m.topic}[${m.partition}]@${m.offset}`)
      expect(row).toContain(a)
    })
    expect(rows[1]).toContain('"total":{"amount":2400,"currency":"EUR"}')
  })

  it('says "no events" (on stderr, so piped JSON stays clean) for a key no event has, and for an empty topic', async () => {
    const unknown = randomUUID()
    const run = await runTool('events', ['tail', 'all', '--key', unknown], env)
    expect(run).toMatchObject({ code: 0, stdout: '' })
    expect(run.stderr).toBe(`no events on ${prefix}order.events, ${prefix}stock.events, ${prefix}payment.events with key ${unknown}\n`)
    const empty = await runTool('events', ['tail', 'payment.events', '--format', 'table'], env)
    expect(empty).toMatchObject({ code: 0, stdout: '', stderr: `no events on ${prefix}payment.events\n` })
    const since = await runTool('events', ['tail', 'order.events', '--since', '2999-01-01T00:00:00Z'], env)
    expect(since.stderr).toBe(`no events on ${prefix}order.events since 2999-01-01T00:00:00.000Z\n`)
  })

  it('fails, naming the topic, when it does not exist', async () => {
    const run = await runTool('events', ['tail', 'nope.events'], env)
    expect(run.code).toBe(1)
    expect(run.stderr).toContain(`no topic ${prefix}nope.events`)
  })
})
