import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { eventually } from '@choreo/testkit'
import type { Saga } from './consumer.ts'
import { createFixture, firstOccurrencesByKey, ids, type Fixture } from './testing/fixture.ts'

const countUnpublished = async (f: Fixture) => Number((await f.db('outbox').whereNull('published_at').count({ n: '*' }))[0]?.n)

/** Writes `perKey` events for each key, keys in parallel, each key's events one after another. */
async function writeMany(f: Fixture, keys: string[], perKey: number, concurrency = 10): Promise<void> {
  const queue = [...keys]
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (let key = queue.shift(); key; key = queue.shift()) for (let seq = 0; seq < perKey; seq++) await f.write(key, seq)
  }))
}

function expectPerKeyOrder(byKey: Map<string, number[]>, keys: string[], perKey: number): void {
  const expected = Array.from({ length: perKey }, (_, i) => i)
  for (const key of keys) expect(byKey.get(key), `key ${key}`).toEqual(expected)
}

describe('relay', () => {
  let f: Fixture
  beforeEach(async () => { f = await createFixture('relay', ['relay-consumer']) })
  afterEach(async () => { await f.close() })

  it('keeps per-key commit order on the topic for 10,000 events over 50 keys', async () => {
    const keys = ids(50)
    const relay = f.relay({ batchSize: 1000 })
    relay.start()
    await writeMany(f, keys, 200)
    relay.wake()
    await eventually(async () => expect(await countUnpublished(f)).toBe(0), { timeoutMs: 60_000 })
    await relay.stop()
    const published = await f.published()
    const byKey = firstOccurrencesByKey(published)
    expect([...byKey.values()].reduce((n, s) => n + s.length, 0)).toBe(10_000)
    expectPerKeyOrder(byKey, keys, 200)
    // one key, one partition: the key is the order id
    for (const key of keys) expect(new Set(published.filter((e) => e.orderId === key).map((e) => e.partition)).size).toBe(1)
  })

  it('runs one active publisher when two relays share a database, losing and reordering nothing', async () => {
    const keys = ids(20)
    const a = f.relay({ name: 'shared' })
    const b = f.relay({ name: 'shared' })
    a.start()
    b.start()
    await writeMany(f, keys, 50)
    await eventually(async () => expect(await countUnpublished(f)).toBe(0), { timeoutMs: 30_000 })
    expect([a.holdsLease, b.holdsLease].filter(Boolean)).toHaveLength(1)
    const holder = a.holdsLease ? a : b
    const standby = a.holdsLease ? b : a
    await holder.stop() // the holder goes away: the standby takes the lease over
    await eventually(() => expect(standby.holdsLease).toBe(true))
    await writeMany(f, keys, 0)
    for (const key of keys) await f.write(key, 50)
    await eventually(async () => expect(await countUnpublished(f)).toBe(0), { timeoutMs: 30_000 })
    await standby.stop()
    expectPerKeyOrder(firstOccurrencesByKey(await f.published()), keys, 51)
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

    const saga: Saga = {
      OrderDelivered: async (event, trx) => {
        await trx('effects').insert({ event_id: event.eventId, order_id: event.orderId, seq: event.deliveredAt })
        return []
      },
    }
    const consumer = f.consumer('relay-consumer', saga)
    await consumer.start()
    await eventually(async () => expect(await f.db('inbox').count({ n: '*' })).toEqual([{ n: '20' }]))
    await consumer.stop()
    expect(await f.db('effects').count({ n: '*' })).toEqual([{ n: '20' }]) // 20 events, each applied once
    expectPerKeyOrder(firstOccurrencesByKey(await f.published()), keys, 4)
  })

  it('stops during a broker outage without losing or reordering, and resumes by itself', async () => {
    const keys = ids(10)
    const relay = f.relay({ backoff: { initialMs: 50, maxMs: 300 } }, f.network.kafka)
    relay.start()
    for (const key of keys) await f.write(key, 0)
    await eventually(async () => expect(await countUnpublished(f)).toBe(0))
    f.network.cut()
    for (let seq = 1; seq < 5; seq++) for (const key of keys) await f.write(key, seq)
    relay.wake()
    await new Promise((r) => setTimeout(r, 1500))
    expect(await countUnpublished(f)).toBe(40) // nothing marked while the broker is unreachable
    f.network.restore()
    await eventually(async () => expect(await countUnpublished(f)).toBe(0), { timeoutMs: 30_000 })
    await relay.stop()
    expectPerKeyOrder(firstOccurrencesByKey(await f.published()), keys, 5)
  })
})
