import type { Knex } from 'knex'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { newEvent, type Events } from '@choreo/contracts'
import { eventually } from '@choreo/testkit'
import { defineSaga, step } from './saga.ts'
import { cause, createFixture, firstOccurrencesByKey, ids, type Fixture, type Published } from './testing/fixture.ts'

const countUnpublished = async (f: Fixture) => Number((await f.db('outbox').whereNull('published_at').count({ n: '*' }))[0]?.n)

/** Writes events `from` to `to - 1` for each key, keys in parallel, each key's events one after another. */
async function writeMany(f: Fixture, keys: string[], from: number, to: number, concurrency = 10): Promise<void> {
  const queue = [...keys]
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let key = queue.shift(); key; key = queue.shift()) for (let seq = from; seq < to; seq++) await f.write(key, seq)
  }))
}

function expectPerKeyOrder(byKey: Map<string, number[]>, keys: string[], perKey: number): void {
  const expected = Array.from({ length: perKey }, (_, i) => i)
  for (const key of keys) expect(byKey.get(key), `key ${key}`).toEqual(expected)
}

function expectEachOnce(published: Published[], count: number): void {
  expect(new Set(published.map((e) => e.eventId)).size).toBe(count)
  expect(published).toHaveLength(count)
}

/**
 * Each partition's messages in outbox id order: what a relay sending in id order yields from rows
 * that all committed before it read them (a late commit is, rightly, published after higher ids).
 */
async function expectIdOrderPerPartition(f: Fixture, published: Published[]): Promise<void> {
  const idOf = new Map((await f.db('outbox').select('id', 'event_id')).map((r) => [r.event_id as string, Number(r.id)]))
  for (const partition of new Set(published.map((e) => e.partition))) {
    const sent = published.filter((e) => e.partition === partition).map((e) => idOf.get(e.eventId)!)
    expect(sent, `partition ${partition}`).toEqual([...sent].sort((a, b) => a - b))
  }
}

/** Messages on the topic by the relay that sent them (its `sent-by` header). */
function countBySender(published: Published[]): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const e of published) {
    const sender = e.headers['sent-by'] ?? 'nobody'
    counts[sender] = (counts[sender] ?? 0) + 1
  }
  return counts
}

describe('relay', () => {
  let f: Fixture
  beforeEach(async () => { f = await createFixture('relay', ['relay-consumer']) })
  afterEach(async () => { await f.close() })

  it('keeps per-key commit order on the topic for 10,000 events over 50 keys written by racing transactions', async () => {
    // Each transaction bumps its key's counter last, and holds that row lock until it commits:
    // the counter values are the order in which one key's transactions committed.
    await f.db.schema.createTable('key_counters', (t) => { t.string('order_id').primary(); t.integer('n').notNullable() })
    await f.db.schema.createTable('key_commits', (t) => { t.string('order_id').notNullable(); t.integer('seq').notNullable(); t.integer('position').notNullable() })
    const keys = ids(50)
    const perKey = 200
    await f.db('key_counters').insert(keys.map((order_id) => ({ order_id, n: 0 })))
    const write = (orderId: string, seq: number) => f.db.transaction(async (trx) => {
      await f.outbox.enqueue(trx, newEvent('OrderDelivered', { orderId, deliveredAt: seq }), cause)
      await trx.raw(`WITH c AS (UPDATE key_counters SET n = n + 1 WHERE order_id = ? RETURNING n)
        INSERT INTO key_commits (order_id, seq, position) SELECT ?, ?, n FROM c`, [orderId, orderId, seq])
    })
    const relay = f.relay({ batchSize: 1000 })
    relay.start()
    // A few keys at a time, each written by two writers at once, so that same-key transactions
    // overlap: without the per-key lock a later id often commits first.
    const writersPerKey = 2
    const queue = [...keys]
    await Promise.all(Array.from({ length: 3 }, async () => {
      for (let key = queue.shift(); key; key = queue.shift()) {
        const orderId = key
        await Promise.all(Array.from({ length: writersPerKey }, async (_, w) => {
          for (let seq = w; seq < perKey; seq += writersPerKey) await write(orderId, seq)
        }))
      }
    }))
    relay.wake()
    await eventually(async () => expect(await countUnpublished(f)).toBe(0), { timeoutMs: 60_000 })
    await relay.stop()

    const published = await f.published()
    const byKey = firstOccurrencesByKey(published)
    expect([...byKey.values()].reduce((n, s) => n + s.length, 0)).toBe(keys.length * perKey)
    const commits = await f.db('key_commits').orderBy(['order_id', 'position'])
    for (const key of keys) {
      expect(byKey.get(key), `key ${key}`).toEqual(commits.filter((c) => c.order_id === key).map((c) => c.seq))
    }
    // one key, one partition: the key is the order id
    for (const key of keys) expect(new Set(published.filter((e) => e.orderId === key).map((e) => e.partition)).size).toBe(1)
  }, 180_000)

  it('sends a backlog of many full batches each once and in id order, reading the next batch while one is in flight', async () => {
    const keys = ids(20)
    await writeMany(f, keys, 0, 50) // 1,000 rows waiting before the relay starts
    const relay = f.relay({ batchSize: 20 }) // 50 full batches: each is read while the previous one is sent
    relay.start()
    await eventually(async () => expect(await countUnpublished(f)).toBe(0), { timeoutMs: 60_000 })
    await relay.stop()
    const published = await f.published()
    // Nothing failed, so nothing may be sent twice: a batch read while another is in flight leaves it out.
    expectEachOnce(published, 1000)
    await expectIdOrderPerPartition(f, published)
    expectPerKeyOrder(firstOccurrencesByKey(published), keys, 50)
  })

  it('publishes from the lease holder only while a standby waits, and the standby takes over, losing and reordering nothing', async () => {
    const keys = ids(20)
    const a = f.relay({ name: 'shared' }, { sentBy: 'a' })
    const b = f.relay({ name: 'shared' }, { sentBy: 'b' })
    a.start()
    await eventually(() => expect(a.holdsLease).toBe(true))
    b.start()
    await writeMany(f, keys, 0, 50)
    await eventually(async () => expect(await countUnpublished(f)).toBe(0), { timeoutMs: 30_000 })
    // The topic says who published: everything so far came from a, none of it from the standby.
    expect(countBySender(await f.published())).toEqual({ a: 1000 })
    expect([a.holdsLease, b.holdsLease]).toEqual([true, false])

    await a.stop() // the holder goes away: the standby takes the lease over
    await eventually(() => expect(b.holdsLease).toBe(true))
    await writeMany(f, keys, 50, 75)
    await eventually(async () => expect(await countUnpublished(f)).toBe(0), { timeoutMs: 30_000 })
    await b.stop()
    const published = await f.published()
    expect(countBySender(published.filter((e) => e.seq < 50))).toEqual({ a: 1000 })
    expect(countBySender(published.filter((e) => e.seq >= 50))).toEqual({ b: 500 })
    expectEachOnce(published, 1500)
    expectPerKeyOrder(firstOccurrencesByKey(published), keys, 75)
  })

  it('republishes what was sent but not marked, and the consumer applies it once', async () => {
    // The relay "dies" between publish and mark: marking fails until the switch is turned off.
    await f.db.raw(`CREATE TABLE fail_marks (on_ boolean NOT NULL)`)
    await f.db.raw(`INSERT INTO fail_marks VALUES (true)`)
    await f.db.raw(`CREATE FUNCTION refuse_mark() RETURNS trigger AS $$ BEGIN
      IF (SELECT on_ FROM fail_marks) THEN RAISE EXCEPTION 'relay killed before marking'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql`)
    await f.db.raw(`CREATE TRIGGER refuse_mark BEFORE UPDATE OF published_at ON outbox FOR EACH ROW EXECUTE FUNCTION refuse_mark()`)
    const keys = ids(5)
    for (const key of keys) for (let seq = 0; seq < 4; seq++) await f.write(key, seq)
    const relay = f.relay()
    relay.start()
    await eventually(async () => expect((await f.published()).length).toBeGreaterThanOrEqual(40), { timeoutMs: 30_000 }) // sent at least twice
    await f.db('fail_marks').update({ on_: false })
    await eventually(async () => expect(await countUnpublished(f)).toBe(0))
    await relay.stop()

    const saga = defineSaga('order', {
      OrderDelivered: step(async function saga(event: Events['OrderDelivered'], trx: Knex.Transaction) {
        await trx('effects').insert({ event_id: event.eventId, order_id: event.orderId, seq: event.deliveredAt })
        return []
      }, { does: 'the test' }),
    })
    const consumer = f.consumer('relay-consumer', saga)
    await consumer.start()
    await eventually(async () => expect(await f.db('inbox').count({ n: '*' })).toEqual([{ n: '20' }]))
    await consumer.stop()
    expect(await f.db('effects').count({ n: '*' })).toEqual([{ n: '20' }]) // 20 events, each applied once
    expectPerKeyOrder(firstOccurrencesByKey(await f.published()), keys, 4)
  })

  it('keeps trying through a broker outage without marking anything, then resumes by itself, each event once and in order', async () => {
    const keys = ids(10)
    let producers = 0
    const relay = f.relay({ backoff: { initialMs: 50, maxMs: 300 } }, { kafka: f.network.kafka, onProducer: () => producers++ })
    relay.start()
    for (const key of keys) await f.write(key, 0)
    await eventually(async () => expect(await countUnpublished(f)).toBe(0))
    f.network.cut()
    const producersBefore = producers
    for (let seq = 1; seq < 5; seq++) for (const key of keys) await f.write(key, seq)
    relay.wake()
    // It tries and is refused at the broker's door, again and again: a fresh producer after each failure.
    await eventually(() => {
      expect(f.network.refused).toBeGreaterThan(0)
      expect(producers).toBeGreaterThanOrEqual(producersBefore + 3)
    }, { timeoutMs: 30_000 })
    expect(await countUnpublished(f)).toBe(40) // every attempt failed, so nothing was marked
    f.network.restore()
    await eventually(async () => expect(await countUnpublished(f)).toBe(0), { timeoutMs: 30_000 })
    await relay.stop()
    const published = await f.published()
    expectEachOnce(published, 50)
    await expectIdOrderPerPartition(f, published)
    expectPerKeyOrder(firstOccurrencesByKey(published), keys, 5)
  })
})
