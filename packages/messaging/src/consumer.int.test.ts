import { randomUUID } from 'node:crypto'
import knex, { type Knex } from 'knex'
import type { Message } from 'kafkajs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry'
import { newEvent, type Events } from '@choreo/contracts'
import { eventually, infra, readTopic, startTcpProxy, testKafka } from '@choreo/testkit'
import { defineSaga, step } from './saga.ts'
import { cause, createFixture, type Fixture } from './testing/fixture.ts'
import { recordEffect } from './testing/record-effect.ts'


async function produceRaw(topic: string, messages: Message[]): Promise<void> {
  const producer = testKafka().producer()
  await producer.connect()
  await producer.send({ topic, acks: -1, messages })
  await producer.disconnect()
}

describe('saga consumer', () => {
  let f: Fixture
  beforeAll(async () => { f = await createFixture('consumer', ['c-crash', 'c-poison', 'c-emit', 'c-race', 'c-outage', 'c-contention', 'c-purge', 'c-skip']) })
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
    await produceRaw(f.topic, [{ key, value: Buffer.from('not avro at all'), headers: { origin: 'test' } }])
    await produceRaw(f.topic, [{ key, value: unknownSchemaId, headers: { origin: 'test' } }])
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
    const echo = defineSaga('order', {
      OrderDelivered: step(function echo(event: Events['OrderDelivered']) { return event.deliveredAt === 1 ? [newEvent('OrderDelivered', { orderId: event.orderId, deliveredAt: 2 })] : [] }, { emits: ['OrderDelivered'], does: 'the test' }),
    })
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

  it('applies an event once when two consumers of one group race on copies of it, dead-lettering nothing', async () => {
    const group = 'c-race'
    const orderId = randomUUID()
    const eventId = randomUUID()
    let arrivals = 0
    const holdFirst = defineSaga('order', {
      OrderDelivered: step(async function holdFirst(event: Events['OrderDelivered'], trx: Knex.Transaction) {
        if (event.orderId === orderId && ++arrivals === 1) {
          // The first delivery keeps its transaction open until another one is blocked behind its
          // inbox row (or, were there no inbox, inside this handler too): the two really race.
          const { rows } = await trx.raw('SELECT pg_backend_pid() AS pid')
          await eventually(async () => {
            if (arrivals < 2) expect((await f.db.raw(BLOCKED_BEHIND, [rows[0].pid])).rows.length).toBeGreaterThan(0)
          }, { timeoutMs: 45_000 })
        }
        await trx('effects').insert({ event_id: event.eventId, order_id: event.orderId, seq: event.deliveredAt })
        return []
      }, { does: 'the test' }),
    })
    await startAtEnd(f, group)
    const a = f.consumer(group, holdFirst)
    const b = f.consumer(group, holdFirst)
    await a.start()
    await b.start()
    await eventually(async () => expect(await groupMembers(group)).toBe(2), { timeoutMs: 45_000 })
    // The same event on every partition, as a producer retry or a republish could leave it: each
    // consumer owns some of the partitions and works on two of them at once.
    const value = f.codec.encode('OrderDelivered', { eventId, correlationId: 'test', causationId: null, occurredAt: Date.now(), orderId, deliveredAt: 1 })
    const headers = { 'event-id': eventId, 'event-type': 'OrderDelivered', 'correlation-id': 'test', traceparent: cause.traceparent }
    const copies = 6
    await produceRaw(f.topic, Array.from({ length: copies }, (_, partition) => ({ partition, key: orderId, value, headers })))
    const outcomes = ['handled', 'deduplicated', 'dead_lettered']
    const consumed = async () => (await Promise.all(outcomes.map((o) => f.consumed(group, o)))).reduce((n, c) => n + c, 0)
    await eventually(async () => expect(await consumed()).toBeGreaterThanOrEqual(copies), { timeoutMs: 45_000 })
    await a.stop()
    await b.stop()
    expect(await f.consumed(group, 'dead_lettered')).toBe(0)
    expect(await readTopic(`${f.prefix}${group}.dlt`)).toEqual([])
    expect(await f.db('effects').where({ event_id: eventId })).toHaveLength(1)
    expect(await f.consumed(group, 'handled')).toBe(1)
  })

  it('holds a message through a database outage that begins mid-handler, then applies it once, dead-lettering nothing', async () => {
    const group = 'c-outage'
    const pg = new URL(f.database.url)
    let proxy = await startTcpProxy({ host: pg.hostname, port: Number(pg.port) })
    // The consumer reaches its database through the proxy; once another proxy is up, new connections go through it.
    const db = knex({
      client: 'pg',
      connection: () => {
        const current = proxy
        return { connectionString: current.url(f.database.url), expirationChecker: () => proxy !== current }
      },
      pool: { min: 0, max: 4 },
      log: { warn: () => {}, error: () => {}, debug: () => {}, deprecate: () => {} }, // knex's own lines about the outage
    })
    const orderId = randomUUID()
    let attempts = 0
    const outageInside = defineSaga('order', {
      OrderDelivered: step(async function outageInside(event: Events['OrderDelivered'], trx: Knex.Transaction) {
        if (event.orderId === orderId && ++attempts === 1) await proxy.close() // the database goes away while the handler runs
        await trx('effects').insert({ event_id: event.eventId, order_id: event.orderId, seq: event.deliveredAt })
        return []
      }, { does: 'the test' }),
    })
    const relay = f.relay()
    relay.start()
    await startAtEnd(f, group)
    const consumer = f.consumer(group, outageInside, db)
    try {
      await consumer.start()
      const eventId = await f.write(orderId, 1)
      // The handler's connection is gone and new ones are refused: the consumer retries, and waits.
      await eventually(async () => {
        expect(await f.consumed(group, 'dead_lettered')).toBe(0)
        expect(await f.retried(group, 'outage')).toBeGreaterThanOrEqual(3)
      }, { timeoutMs: 45_000 })
      expect(await f.db('effects').where({ order_id: orderId })).toHaveLength(0)
      proxy = await startTcpProxy({ host: pg.hostname, port: Number(pg.port) }) // the database is back
      await eventually(async () => expect(await f.db('effects').where({ order_id: orderId })).toHaveLength(1), { timeoutMs: 45_000 })
      await consumer.stop()
      expect(await f.db('effects').where({ event_id: eventId })).toHaveLength(1)
      expect(await f.db('inbox').where({ consumer_group: group, event_id: eventId })).toHaveLength(1)
      expect(await f.consumed(group, 'handled')).toBe(1)
      expect(await f.consumed(group, 'dead_lettered')).toBe(0)
      expect(await readTopic(`${f.prefix}${group}.dlt`)).toEqual([])
    } finally {
      await consumer.stop()
      await relay.stop()
      await db.destroy()
      await proxy.close().catch(() => {}) // already closed if the test failed during the outage
    }
  })

  it('retries a transaction the database keeps choosing as victim past any attempt count, then applies it once, dead-lettering nothing', async () => {
    const group = 'c-contention'
    const orderId = randomUUID()
    await f.db.raw('CREATE TABLE IF NOT EXISTS hot_rows (order_id text PRIMARY KEY)')
    await f.db('hot_rows').insert({ order_id: orderId })
    // The handler needs the order's row and will not wait for it: while another session holds it,
    // PostgreSQL refuses the handler's lock (55P03) on every attempt.
    const needsHotRow = defineSaga('order', {
      OrderDelivered: step(async function needsHotRow(event: Events['OrderDelivered'], trx: Knex.Transaction) {
        await trx.raw("SET LOCAL lock_timeout = '20ms'")
        await trx.raw('SELECT order_id FROM hot_rows WHERE order_id = ? FOR UPDATE', [event.orderId])
        await trx('effects').insert({ event_id: event.eventId, order_id: event.orderId, seq: event.deliveredAt })
        return []
      }, { does: 'the test' }),
    })
    const holder = await f.db.transaction()
    await holder.raw('SELECT order_id FROM hot_rows WHERE order_id = ? FOR UPDATE', [orderId])
    const relay = f.relay()
    relay.start()
    await startAtEnd(f, group)
    const consumer = f.consumer(group, needsHotRow)
    try {
      await consumer.start()
      const eventId = await f.write(orderId, 1)
      // Twice the attempts after which the consumer says so loudly (3 in the fixture), and on.
      await eventually(async () => expect(await f.retried(group, 'contention')).toBeGreaterThanOrEqual(6), { timeoutMs: 30_000 })
      expect(await f.consumed(group, 'dead_lettered')).toBe(0)
      expect(await f.db('effects').where({ order_id: orderId })).toHaveLength(0)
      await holder.commit() // the hot row is free
      await eventually(async () => expect(await f.db('effects').where({ event_id: eventId })).toHaveLength(1), { timeoutMs: 30_000 })
      await consumer.stop()
      expect(await f.consumed(group, 'handled')).toBe(1)
      expect(await f.consumed(group, 'dead_lettered')).toBe(0)
      expect(await readTopic(`${f.prefix}${group}.dlt`)).toEqual([])
    } finally {
      if (!holder.isCompleted()) await holder.rollback()
      await consumer.stop()
      await relay.stop()
    }
  })

  it("purges its group's inbox rows past their retention, a bounded pass at a time, while it handles events", async () => {
    const group = 'c-purge'
    const inboxRows = (consumerGroup: string, prefix: string, age: string) => f.db.raw(`
      INSERT INTO inbox (consumer_group, event_id, event_type, topic, partition, "offset", handled_at)
      SELECT ?, ? || i, 'OrderDelivered', 't', 0, i::text, now() - ?::interval FROM generate_series(1, ?) i`, [consumerGroup, prefix, age, prefix === 'old-' ? 2500 : 10])
    await inboxRows(group, 'old-', '2 hours')
    await inboxRows(group, 'new-', '0 seconds')
    await inboxRows('c-other', 'old-', '2 hours')
    const count = async (where: Record<string, string>, prefix: string): Promise<number> =>
      Number((await f.db('inbox').where(where).where('event_id', 'like', `${prefix}%`).count({ n: '*' }))[0]!.n)
    await startAtEnd(f, group)
    // Retention 1 h; passes of at most 5 × 100 rows, 100 ms apart.
    const consumer = f.consumer(group, recordEffect, undefined, { inboxPurge: { retentionMs: 3_600_000, intervalMs: 100, batchSize: 100, batchesPerPass: 5 } })
    const relay = f.relay()
    relay.start()
    try {
      await consumer.start()
      const seen: number[] = []
      await eventually(async () => {
        seen.push(await count({ consumer_group: group }, 'old-'))
        expect(seen.at(-1)).toBeLessThan(2500)
      }, { timeoutMs: 30_000, intervalMs: 5 })
      expect(seen.at(-1)).toBeGreaterThanOrEqual(2000) // one pass took 500 rows at most
      const eventId = await f.write(randomUUID(), 1) // handled while the purge goes on
      await eventually(async () => expect(await f.db('effects').where({ event_id: eventId })).toHaveLength(1), { timeoutMs: 30_000 })
      await eventually(async () => expect(await count({ consumer_group: group }, 'old-')).toBe(0), { timeoutMs: 30_000 })
      expect(await count({ consumer_group: group }, 'new-')).toBe(10) // within retention
      expect(await count({ consumer_group: 'c-other' }, 'old-')).toBe(2500) // another group's, purged by that group
      expect(await f.db('inbox').where({ consumer_group: group, event_id: eventId })).toHaveLength(1)
    } finally {
      await consumer.stop()
      await relay.stop()
    }
  })

  it('skips event types it has no handler for, and types it does not know yet (a newer producer\'s), dead-lettering neither', async () => {
    const group = 'c-skip'
    // This saga handles OrderPlaced only; the topic also carries OrderDelivered, and a newer
    // build of the producer adds OrderGiftWrapped, registered under the topic's subject.
    const placedOnly = defineSaga('order', { OrderPlaced: step(async function placedOnly(): Promise<never[]> { return [] }, { does: 'nothing' }) })
    const registry = new SchemaRegistry({ host: infra().registryUrl })
    const giftWrapped = {
      type: 'record', name: 'OrderGiftWrapped', namespace: 'choreo.order',
      fields: [{ name: 'eventId', type: 'string' }, { name: 'orderId', type: 'string' }, { name: 'message', type: 'string' }],
    }
    const { id } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(giftWrapped) }, { subject: `${f.topic}-choreo.order.OrderGiftWrapped` })
    const orderId = randomUUID()
    const wrapped = await registry.encode(id, { eventId: randomUUID(), orderId, message: 'happy birthday' })
    await startAtEnd(f, group)
    const consumer = f.consumer(group, placedOnly)
    const relay = f.relay()
    relay.start()
    try {
      await consumer.start()
      await f.write(orderId, 1) // OrderDelivered: known here, no handler
      await produceRaw(f.topic, [
        { key: orderId, value: wrapped, headers: { 'event-type': 'OrderGiftWrapped' } }, // named in a header, as the relay does
        { key: orderId, value: wrapped }, // not named: known to be unknown only once decoded
      ])
      await eventually(async () => expect(await f.consumed(group, 'ignored')).toBe(3), { timeoutMs: 30_000 })
      await consumer.stop()
      expect(await f.consumed(group, 'dead_lettered')).toBe(0)
      expect(await readTopic(`${f.prefix}${group}.dlt`)).toEqual([])
    } finally {
      await consumer.stop()
      await relay.stop()
    }
  })

})

// Backends of this database waiting for a lock that the given backend holds.
const BLOCKED_BEHIND = 'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND ? = ANY(pg_blocking_pids(pid))'

/**
 * Commits the group's offsets at the topic's end, so only what a test produces next reaches it
 * (not earlier tests' messages). An earlier test may have left outbox rows its relay had not yet
 * published (a reaction's emitted event, say): they are published first, or a relay started by
 * this test would put them after the end read here, for this group to handle as its own.
 */
async function startAtEnd(f: Fixture, group: string): Promise<void> {
  const relay = f.relay()
  relay.start()
  relay.wake()
  try {
    await eventually(async () => expect(await f.db('outbox').whereNull('published_at').count({ n: '*' })).toEqual([{ n: '0' }]), { timeoutMs: 30_000 })
  } finally {
    await relay.stop()
  }
  const admin = testKafka().admin()
  await admin.connect()
  try {
    // Explicit offsets: kafkajs's resetOffsets to latest commits -1, which a consumer reads as "none" and starts from the beginning.
    const ends = await admin.fetchTopicOffsets(f.topic)
    await admin.setOffsets({ groupId: group, topic: f.topic, partitions: ends.map(({ partition, high }) => ({ partition, offset: high })) })
  } finally {
    await admin.disconnect()
  }
}

async function groupMembers(group: string): Promise<number> {
  const admin = testKafka().admin()
  await admin.connect()
  try {
    const { groups } = await admin.describeGroups([group])
    return groups[0]?.state === 'Stable' ? groups[0].members.length : 0
  } finally {
    await admin.disconnect()
  }
}
