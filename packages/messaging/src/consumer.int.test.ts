import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventually, readTopic, testKafka } from '@choreo/testkit'
import type { Saga } from './consumer.ts'
import { createFixture, type Fixture } from './testing/fixture.ts'

const recordEffect: Saga = {
  OrderDelivered: async (event, trx) => {
    if (event.deliveredAt < 0) throw new Error(`negative sequence ${event.deliveredAt} is a bug`)
    await trx('effects').insert({ event_id: event.eventId, order_id: event.orderId, seq: event.deliveredAt })
    return []
  },
}

async function produceRaw(topic: string, key: string, value: Buffer): Promise<void> {
  const producer = testKafka().producer()
  await producer.connect()
  await producer.send({ topic, acks: -1, messages: [{ key, value, headers: { origin: 'test' } }] })
  await producer.disconnect()
}

describe('saga consumer', () => {
  let f: Fixture
  beforeAll(async () => { f = await createFixture('consumer', ['c-crash', 'c-poison', 'c-emit']) })
  afterAll(async () => { await f.close() })

  it('applies an event once when it crashed after its DB commit and before its offset commit', async () => {
    const relay = f.relay()
    relay.start()
    const key = randomUUID()
    for (let seq = 0; seq < 10; seq++) await f.write(key, seq)
    relay.wake()
    const first = f.consumer('c-crash', recordEffect)
    await first.start()
    await eventually(async () => expect(await f.db('effects').where({ order_id: key })).toHaveLength(10))
    await first.stop()
    // What a crash before the offset commit leaves behind: the group's committed offsets are
    // behind what the database has applied. Rewind them, and every event comes again.
    const admin = testKafka().admin()
    await admin.connect()
    await admin.resetOffsets({ groupId: `c-crash`, topic: f.topic, earliest: true })
    await admin.disconnect()
    const second = f.consumer('c-crash', recordEffect)
    await second.start()
    await eventually(async () => expect(await f.consumed('c-crash', 'deduplicated')).toBe(10)) // all came again
    await second.stop()
    await relay.stop()
    expect(await f.db('inbox').where({ consumer_group: 'c-crash' })).toHaveLength(10)
    const effects = await f.db('effects').where({ order_id: key }).orderBy('seq')
    expect(effects.map((e) => e.seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]) // each applied once
  })

  it('dead-letters undecodable messages and a failing handler with the reason, and handles the next message', async () => {
    const consumer = f.consumer('c-poison', recordEffect)
    await consumer.start()
    const key = randomUUID()
    const unknownSchemaId = Buffer.from([0, 0x7f, 0xff, 0xff, 0xf0, 1, 2, 3])
    await produceRaw(f.topic, key, Buffer.from('not avro at all'))
    await produceRaw(f.topic, key, unknownSchemaId)
    const relay = f.relay()
    relay.start()
    await f.write(key, -1) // the handler throws on this one
    const good = await f.write(key, 1)
    await eventually(async () => expect(await f.db('effects').where({ event_id: good })).toHaveLength(1), { timeoutMs: 30_000 })
    await consumer.stop()
    await relay.stop()

    const dead = (await readTopic(`${f.prefix}c-poison.dlt`)).filter((d) => d.key === key)
    expect(dead).toHaveLength(3)
    const [garbage, unknown, failing] = dead
    expect(garbage?.headers).toMatchObject({ 'dlt-reason': 'undecodable', 'dlt-group': 'c-poison', 'dlt-topic': f.topic, origin: 'test' })
    expect(garbage?.headers['dlt-error']).toMatch(/magic byte/)
    expect(garbage?.value?.toString()).toBe('not avro at all')
    expect(garbage?.key).toBe(key)
    expect(unknown?.headers['dlt-error']).toMatch(/unknown schema id/)
    expect(unknown?.value).toEqual(unknownSchemaId)
    expect(failing?.headers).toMatchObject({ 'dlt-reason': 'handler failed', 'event-type': 'OrderDelivered' })
    expect(failing?.headers['dlt-error']).toMatch(/negative sequence/)
    for (const d of dead) expect(Number(d.headers['dlt-offset'])).toBeGreaterThanOrEqual(0)
    expect(await f.db('effects').where({ order_id: key })).toHaveLength(1)
  })

  it('enqueues what a handler returns in the same transaction, caused by the event it handled', async () => {
    const relay = f.relay()
    relay.start()
    const key = randomUUID()
    const echo: Saga = {
      OrderDelivered: (event) => (event.deliveredAt === 1 ? [{ type: 'OrderDelivered', data: { orderId: event.orderId, deliveredAt: 2 } }] : []),
    }
    const consumer = f.consumer('c-emit', echo)
    await consumer.start()
    const cause = await f.write(key, 1)
    await eventually(async () => expect(await f.db('outbox').where({ aggregate_id: key })).toHaveLength(2))
    await consumer.stop()
    await relay.stop()
    const emitted = await f.db('outbox').where({ aggregate_id: key }).orderBy('id').offset(1).first()
    expect(emitted.payload).toMatchObject({ causationId: cause, correlationId: 'test', deliveredAt: 2 })
    // the trace carries on: same trace id, a span of its own
    expect(emitted.headers.traceparent.slice(0, 35)).toBe('00-0af7651916cd43dd8448eb211c80319c')
    expect(emitted.headers.traceparent).not.toBe('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01')
  })
})
