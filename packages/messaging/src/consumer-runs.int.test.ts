import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually, readTopic, testKafka } from '@choreo/testkit'
import { cause, createFixture, type Fixture } from './testing/fixture.ts'
import { recordEffect } from './testing/record-effect.ts'

// A fetched run of one partition's events is handled in one transaction (consumer.ts,
// handleTogether); these check what that must keep: each event applied once, in order, and a
// failing event dead-lettered alone.

describe('saga consumer, a run of events in one transaction', () => {
  let f: Fixture
  beforeAll(async () => { f = await createFixture('consumer-runs', ['r-one', 'r-fail', 'r-copy']) })
  afterAll(async () => { await f.close() })

  /** Events of one key, on the topic before the consumer starts, so its first fetch holds them all. */
  async function publishedBeforeStart(key: string, seqs: number[]): Promise<string[]> {
    const ids: string[] = []
    for (const seq of seqs) ids.push(await f.write(key, seq))
    const relay = f.relay()
    relay.start()
    relay.wake()
    await eventually(async () => expect(await f.db('outbox').whereIn('event_id', ids).whereNull('published_at')).toHaveLength(0))
    await relay.stop()
    return ids
  }

  it('handles the events of a fetched batch in one transaction, each once and in order', async () => {
    const key = randomUUID()
    const seqs = Array.from({ length: 30 }, (_, i) => i)
    const ids = await publishedBeforeStart(key, seqs)
    const consumer = f.consumer('r-one', recordEffect)
    await consumer.start()
    await eventually(async () => expect(await f.db('effects').where({ order_id: key })).toHaveLength(30), { timeoutMs: 30_000 })
    await consumer.stop()
    expect((await f.db('effects').where({ order_id: key }).orderBy('id')).map((e) => e.seq)).toEqual(seqs)
    // now() is the transaction's start: one transaction per event would leave 30 distinct times.
    const claims = await f.db('inbox').where({ consumer_group: 'r-one' }).whereIn('event_id', ids)
    expect(claims).toHaveLength(30)
    expect(new Set(claims.map((c) => c.handled_at.getTime())).size).toBeLessThanOrEqual(3)
  })

  it('dead-letters a failing event of a run alone and applies the others once, in order', async () => {
    const key = randomUUID()
    const seqs = Array.from({ length: 20 }, (_, i) => (i === 7 ? -1 : i))
    const ids = await publishedBeforeStart(key, seqs)
    const consumer = f.consumer('r-fail', recordEffect)
    await consumer.start()
    await eventually(async () => expect(await f.db('effects').where({ order_id: key })).toHaveLength(19), { timeoutMs: 30_000 })
    await eventually(async () => expect(await readTopic(`${f.prefix}r-fail.dlt`)).toHaveLength(1), { timeoutMs: 30_000 })
    await consumer.stop()
    expect((await f.db('effects').where({ order_id: key }).orderBy('id')).map((e) => e.seq)).toEqual(seqs.filter((s) => s >= 0))
    const [dead] = await readTopic(`${f.prefix}r-fail.dlt`)
    expect(dead?.headers).toMatchObject({ 'dlt-reason': 'handler failed', 'event-id': ids[7] })
    expect(await f.db('inbox').where({ consumer_group: 'r-fail' }).whereIn('event_id', ids)).toHaveLength(19)
  })

  it('applies an event that comes twice in one run once', async () => {
    const key = randomUUID()
    const [first, second] = [randomUUID(), randomUUID()]
    const message = (eventId: string, seq: number) => ({
      key, partition: 0,
      value: f.codec.encode('OrderDelivered', { eventId, correlationId: 'test', causationId: null, occurredAt: Date.now(), orderId: key, deliveredAt: seq }),
      headers: { 'event-id': eventId, 'event-type': 'OrderDelivered', 'correlation-id': 'test', traceparent: cause.traceparent },
    })
    const producer = testKafka().producer()
    await producer.connect()
    // A producer's retry leaves a copy right behind the original, in the same fetch.
    await producer.send({ topic: f.topic, acks: -1, messages: [message(first, 1), message(second, 2), message(second, 2), message(first, 1)] })
    await producer.disconnect()
    const consumer = f.consumer('r-copy', recordEffect)
    await consumer.start()
    await eventually(async () => expect(await f.consumed('r-copy', 'deduplicated')).toBe(2), { timeoutMs: 30_000 })
    await consumer.stop()
    expect((await f.db('effects').where({ order_id: key }).orderBy('id')).map((e) => e.event_id)).toEqual([first, second])
  })
})
