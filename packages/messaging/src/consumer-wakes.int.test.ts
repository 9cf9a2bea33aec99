import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newEvent, type Events } from '@choreo/contracts'
import { eventually } from '@choreo/testkit'
import { defineSaga, step } from './saga.ts'
import { createFixture, type Fixture } from './testing/fixture.ts'

// The consumer wakes the relay (onCommitted) after a reaction that enqueued events, and only
// then: a wake-up for a reaction that emitted nothing costs the relay a read that finds nothing.
const echoOne = defineSaga('order', {
  OrderDelivered: step(function echoOne(event: Events['OrderDelivered']) {
    return event.deliveredAt === 1 ? [newEvent('OrderDelivered', { orderId: event.orderId, deliveredAt: 2 })] : []
  }, { emits: ['OrderDelivered'], does: 'the test' }),
})

describe('saga consumer, waking the relay', () => {
  let f: Fixture
  beforeAll(async () => { f = await createFixture('consumer-wakes', ['w-one']) })
  afterAll(async () => { await f.close() })

  it('wakes the relay after a reaction that emitted events, not after one that emitted none', async () => {
    let wakes = 0
    const consumer = f.consumer('w-one', echoOne, f.db, { eventsPerTransaction: 1 }, { onCommitted: () => { wakes++ } })
    await consumer.start()
    const relay = f.relay()
    relay.start()
    const key = randomUUID()
    for (const seq of [5, 6, 7, 1]) await f.write(key, seq)
    relay.wake()
    // 5, 6, 7 and 1 handled; 1's echo (2) is enqueued, published by the relay's poll and handled.
    await eventually(async () => expect(await f.consumed('w-one', 'handled')).toBe(5), { timeoutMs: 30_000 })
    await consumer.stop()
    await relay.stop()
    expect(wakes).toBe(1)
  })
})

describe('saga consumer, waking the relay after a run', () => {
  let f: Fixture
  beforeAll(async () => { f = await createFixture('consumer-wakes-run', ['w-run']) })
  afterAll(async () => { await f.close() })

  it('wakes it after a run in one transaction only when the run emitted events', async () => {
    const key = randomUUID()
    let wakes = 0
    for (const seq of [5, 6, 7]) await f.write(key, seq)
    const relay = f.relay()
    relay.start()
    relay.wake()
    await eventually(async () => expect(await f.db('outbox').where({ aggregate_id: key }).whereNull('published_at')).toHaveLength(0))
    const consumer = f.consumer('w-run', echoOne, f.db, {}, { onCommitted: () => { wakes++ } })
    await consumer.start()
    await eventually(async () => expect(await f.consumed('w-run', 'handled')).toBeGreaterThanOrEqual(3), { timeoutMs: 30_000 })
    await consumer.stop()
    await relay.stop()
    expect(wakes).toBe(0)
  })
})
