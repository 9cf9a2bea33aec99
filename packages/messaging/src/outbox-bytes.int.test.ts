import { randomUUID } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry'
import { eventually, infra, readTopic, testKafka } from '@choreo/testkit'
import { createEventCodec } from './avro.ts'
import { postgresDialect } from './dialects/postgres.ts'
import { createOutbox } from './outbox.ts'
import { discardParked, listParked, retryParked } from './parked.ts'
import { evolvedSchemas, freshNamespace } from './testing/evolved-schemas.ts'
import { cause, createFixture, type Fixture } from './testing/fixture.ts'
import type { NewEvent } from '@choreo/contracts'

/** An outbox row written as enqueue would, with these bytes (or none: a row from before the outbox held them). */
function row(f: Fixture, key: string, value: Buffer | null, overrides: Record<string, unknown> = {}) {
  const eventId = randomUUID()
  const payload = { eventId, orderId: key, correlationId: 'c', causationId: null, occurredAt: 1, deliveredAt: 7 }
  return {
    event_id: eventId, aggregate_type: 'Order', aggregate_id: key, event_type: 'OrderDelivered', topic: f.topic,
    payload: JSON.stringify(payload), headers: JSON.stringify({ 'event-id': eventId, 'event-type': 'OrderDelivered' }), value,
    ...overrides,
  }
}

const isPublished = async (f: Fixture, eventId: string) => (await f.db('outbox').where('event_id', eventId).first('published_at'))?.published_at != null

describe('the relay ships the bytes written at enqueue', () => {
  let f: Fixture
  beforeEach(async () => { f = await createFixture('outbox-bytes') })
  afterEach(async () => { await f.close() })

  it('publishes a newer build\'s event with its new field, and a type it has no schema for, byte for byte', async () => {
    // The newer build: OrderDelivered with an optional field the relay's own schema lacks.
    const { dir } = evolvedSchemas(freshNamespace(), (s) => { s.fields.push({ name: 'signedBy', type: ['null', 'string'], default: null }) })
    const newer = createEventCodec({ registryUrl: infra().registryUrl, schemasDir: dir })
    const newerOutbox = createOutbox({ codec: newer, dialect: postgresDialect, topicPrefix: f.prefix })
    const withField = { type: 'OrderDelivered', data: { orderId: 'o-new', deliveredAt: 2, signedBy: 'Ada' } } as unknown as NewEvent
    await f.db.transaction((trx) => newerOutbox.enqueue(trx, withField, cause))
    // And an event type this code base does not know at all, on the same topic.
    const registry = new SchemaRegistry({ host: infra().registryUrl })
    const giftWrapped = { type: 'record', name: 'OrderGiftWrapped', namespace: freshNamespace(), fields: [{ name: 'orderId', type: 'string' }] }
    const { id } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(giftWrapped) }, { subject: `${f.topic}-gift-${randomUUID()}` })
    const unknownBytes = await registry.encode(id, { orderId: 'o-gift' })
    await f.db('outbox').insert(row(f, 'o-gift', unknownBytes, { event_type: 'OrderGiftWrapped', schema_id: id }))

    f.relay().start() // its codec: the product's schemas, without signedBy or OrderGiftWrapped

    const messages = await eventually(async () => {
      const all = await readTopic(f.topic)
      expect(all).toHaveLength(2)
      return all
    }, { timeoutMs: 30_000 })
    const byKey = new Map(messages.map((m) => [m.key, m]))
    expect({ ...(await newer.decode(byKey.get('o-new')!.value!)).payload }).toMatchObject({ orderId: 'o-new', signedBy: 'Ada' })
    expect(byKey.get('o-gift')!.value).toEqual(unknownBytes)
    expect(await f.db('outbox').whereNull('published_at').count({ n: '*' })).toEqual([{ n: '0' }])
  })

  it('still publishes a row written before the outbox held bytes, encoding its JSON payload', async () => {
    const legacy = row(f, 'o-legacy', null)
    await f.db('outbox').insert(legacy)
    f.relay().start()
    const published = await eventually(async () => {
      const all = await f.published()
      expect(all).toHaveLength(1)
      return all
    }, { timeoutMs: 30_000 })
    expect(published[0]).toMatchObject({ orderId: 'o-legacy', seq: 7, eventId: legacy.event_id })
  })
})

describe('a row that can never be published', () => {
  let f: Fixture
  beforeEach(async () => { f = await createFixture('outbox-parked') })
  afterEach(async () => { await f.close() })

  it('is parked with its reason; later rows of its key wait, other keys flow; discarding it lets the key go on', async () => {
    // Over the broker's message.max.bytes (1 MiB by default): refused as MESSAGE_TOO_LARGE, however often sent.
    const poison = row(f, 'k-poison', Buffer.alloc(1_200_000, 1))
    await f.db('outbox').insert(poison)
    const behind = await f.write('k-poison', 1)
    const other = await f.write('k-other', 1)
    f.relay().start()

    await eventually(async () => expect(await isPublished(f, other)).toBe(true), { timeoutMs: 60_000 })
    const [parked] = await listParked(f.db)
    expect(parked).toMatchObject({ eventId: poison.event_id, key: 'k-poison', waiting: 1 })
    expect(parked!.reason).toMatch(/MESSAGE_TOO_LARGE/)
    expect(await f.parked()).toBe(1)
    // The relay reads again (a later row of another key is published): the waiting row is still not sent.
    const later = await f.write('k-other', 2)
    await eventually(async () => expect(await isPublished(f, later)).toBe(true), { timeoutMs: 30_000 })
    expect(await isPublished(f, behind)).toBe(false)
    expect((await f.published()).filter((e) => e.orderId === 'k-poison')).toEqual([])

    expect(await discardParked(f.db, parked!.id)).toBe(true)
    await eventually(async () => expect(await isPublished(f, behind)).toBe(true), { timeoutMs: 30_000 })
    expect((await f.published()).filter((e) => e.orderId === 'k-poison').map((e) => e.eventId)).toEqual([behind])
    expect(await listParked(f.db)).toEqual([])
    expect(await discardParked(f.db, parked!.id)).toBe(false)
  })

  it('is parked when its topic does not exist, and once the topic is created a retry publishes it before the rows that waited', async () => {
    const missing = `${f.prefix}not-yet`
    const first = row(f, 'k-moved', null, { topic: missing })
    const second = row(f, 'k-moved', null, { topic: missing })
    await f.db('outbox').insert([first, second])
    const other = await f.write('k-other', 1)
    f.relay().start()

    await eventually(async () => expect(await isPublished(f, other)).toBe(true), { timeoutMs: 60_000 })
    const parked = await eventually(async () => {
      const rows = await listParked(f.db)
      expect(rows).toHaveLength(1)
      return rows[0]!
    }, { timeoutMs: 60_000 })
    expect(parked).toMatchObject({ eventId: first.event_id, waiting: 1 })
    expect(parked.reason).toBe(`topic ${missing} does not exist`)

    const admin = testKafka().admin()
    await admin.connect()
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: missing, numPartitions: 1 }] })
    await admin.disconnect()
    expect(await retryParked(f.db, parked.id)).toBe(true)
    await eventually(async () => expect(await isPublished(f, second.event_id)).toBe(true), { timeoutMs: 60_000 })
    expect((await readTopic(missing)).map((m) => (m.headers['event-id']))).toEqual([first.event_id, second.event_id])
  })
})
