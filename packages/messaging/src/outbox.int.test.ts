import { randomUUID } from 'node:crypto'
import type { Knex } from 'knex'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newEvent } from '@choreo/contracts'
import { eventually } from '@choreo/testkit'
import { InvalidEvent } from './errors.ts'
import { cause, createFixture, type Fixture } from './testing/fixture.ts'

// Per-key enqueue locks of this test's database: the single-bigint advisory form (objsubid 1).
const ENQUEUE_LOCKS = "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"

// An advisory lock the first backend holds and the second waits for.
const WAITING_FOR = `SELECT 1 FROM pg_locks w JOIN pg_locks h
  ON (h.classid, h.objid, h.objsubid, h.database) = (w.classid, w.objid, w.objsubid, w.database)
  WHERE w.locktype = 'advisory' AND NOT w.granted AND w.pid = ? AND h.locktype = 'advisory' AND h.granted AND h.pid = ?`

const backendPid = async (trx: Knex.Transaction): Promise<number> => (await trx.raw('SELECT pg_backend_pid() AS pid')).rows[0].pid

describe('outbox', () => {
  let f: Fixture
  beforeAll(async () => { f = await createFixture('outbox') })
  afterAll(async () => { await f.close() })

  it('leaves no event when the business transaction rolls back', async () => {
    const orderId = randomUUID()
    await expect(f.db.transaction(async (trx) => {
      await f.outbox.enqueue(trx, newEvent('OrderDelivered', { orderId, deliveredAt: 1 }), cause)
      throw new Error('business rule failed')
    })).rejects.toThrow('business rule failed')
    expect(await f.db('outbox').where({ aggregate_id: orderId })).toHaveLength(0)
  })

  it('refuses an event that does not match its schema, failing the business transaction', async () => {
    const orderId = randomUUID()
    const invalid = { type: 'OrderDelivered', data: { orderId, deliveredAt: 'yesterday' } } as unknown as Parameters<typeof f.outbox.enqueue>[1]
    const attempt = f.db.transaction((trx) => f.outbox.enqueue(trx, invalid, cause))
    await expect(attempt).rejects.toBeInstanceOf(InvalidEvent)
    await expect(attempt).rejects.toThrow(/deliveredAt/)
    expect(await f.db('outbox').where({ aggregate_id: orderId })).toHaveLength(0)
  })

  it('stores Debezium-style columns with event id, correlation, causation and traceparent headers', async () => {
    const orderId = randomUUID()
    const eventId = await f.write(orderId, 7)
    const row = await f.db('outbox').where({ event_id: eventId }).first()
    expect(row).toMatchObject({ aggregate_type: 'Order', aggregate_id: orderId, event_type: 'OrderDelivered', topic: f.topic, published_at: null })
    expect(row.payload).toMatchObject({ eventId, orderId, deliveredAt: 7, correlationId: 'test', causationId: null })
    expect(row.headers).toEqual({ 'event-id': eventId, 'event-type': 'OrderDelivered', 'correlation-id': 'test', traceparent: cause.traceparent })
  })

  it('publishes a committed event exactly once, with its key and headers', async () => {
    const relay = f.relay()
    relay.start()
    const orderId = randomUUID()
    const eventId = await f.write(orderId, 1)
    relay.wake()
    await eventually(async () => {
      expect(await f.db('outbox').where({ event_id: eventId }).whereNotNull('published_at')).toHaveLength(1)
    })
    await relay.stop()
    const mine = (await f.published()).filter((e) => e.orderId === orderId)
    expect(mine).toHaveLength(1)
    expect(mine[0]).toMatchObject({ orderId, seq: 1, eventId, key: orderId })
    expect(mine[0]?.headers).toEqual({ 'event-id': eventId, 'event-type': 'OrderDelivered', 'correlation-id': 'test', traceparent: cause.traceparent })
  })

  /**
   * Runs `hold` in one transaction and, once it holds an enqueue lock, `wait` in another; lets
   * `hold` go on (`released`) only when the second backend waits for that very lock.
   */
  async function contend(hold: (trx: Knex.Transaction, released: Promise<void>) => Promise<void>, wait: (trx: Knex.Transaction) => Promise<void>): Promise<void> {
    let release!: () => void
    const released = new Promise<void>((r) => { release = r })
    let holderPid = 0
    const holder = f.db.transaction(async (trx) => {
      holderPid = await backendPid(trx)
      await hold(trx, released)
    })
    let waiterPid = 0
    let waiter: Promise<void> = Promise.resolve()
    try {
      await eventually(async () => expect(await f.db.raw(ENQUEUE_LOCKS)).toHaveProperty('rowCount', 1))
      waiter = f.db.transaction(async (trx) => {
        waiterPid = await backendPid(trx)
        await wait(trx)
      })
      // The second transaction's backend waits, not granted, for the very lock the first one holds.
      await eventually(async () => expect((await f.db.raw(WAITING_FOR, [waiterPid, holderPid])).rows).toHaveLength(1))
    } finally {
      release()
      await Promise.all([holder, waiter])
    }
  }

  const delivered = (orderId: string, deliveredAt: number) => newEvent('OrderDelivered', { orderId, deliveredAt })

  it('serialises two transactions writing the same key, so their commit order is their id order', async () => {
    const orderId = randomUUID()
    await contend(
      async (trx, released) => {
        await f.outbox.enqueue(trx, delivered(orderId, 1), cause)
        await released
      },
      async (trx) => { await f.outbox.enqueue(trx, delivered(orderId, 2), cause) },
    )
    const rows = await f.db('outbox').where({ aggregate_id: orderId }).orderBy('id')
    expect(rows.map((r) => r.payload.deliveredAt)).toEqual([1, 2])
  })

  it('draws a row\'s id only once its key\'s lock is held, so a waiting writer\'s id follows every id of the holder', async () => {
    // The holder writes the key again while the second writer waits: had the waiting writer drawn
    // its id before the lock, that id would sit between the holder's two and commit after both.
    const orderId = randomUUID()
    await contend(
      async (trx, released) => {
        await f.outbox.enqueue(trx, delivered(orderId, 1), cause)
        await released
        await f.outbox.enqueue(trx, delivered(orderId, 2), cause)
      },
      async (trx) => { await f.outbox.enqueueAll(trx, [{ events: [delivered(orderId, 3), delivered(randomUUID(), 4)], cause }]) },
    )
    const rows = await f.db('outbox').where({ aggregate_id: orderId }).orderBy('id')
    expect(rows.map((r) => r.payload.deliveredAt)).toEqual([1, 2, 3])
  })

  it('inserts a run\'s rows with ids in the order given, across keys', async () => {
    const keys = Array.from({ length: 5 }, () => randomUUID())
    const events = Array.from({ length: 250 }, (_, i) => delivered(keys[(i * 7) % 5]!, i))
    const enqueued = await f.db.transaction((trx) => f.outbox.enqueueAll(trx, [{ events: events.slice(0, 100), cause }, { events: events.slice(100), cause }]))
    const rows = await f.db('outbox').whereIn('aggregate_id', keys).orderBy('id')
    expect(rows.map((r) => r.payload.deliveredAt)).toEqual(events.map((_, i) => i))
    expect(rows.map((r) => r.event_id)).toEqual(enqueued.flat().map((e) => e.eventId))
    expect(rows.every((r) => Buffer.isBuffer(r.value) && r.value[0] === 0 && r.schema_id > 0)).toBe(true)
  })

  it('publishes a row with a lower id that commits after a higher one was published', async () => {
    const relay = f.relay()
    relay.start()
    const late = randomUUID()
    const early = randomUUID()
    let commitLate!: () => void
    const lateHolds = new Promise<void>((r) => { commitLate = r })
    let lateId = 0
    const lateTrx = f.db.transaction(async (trx) => {
      await f.outbox.enqueue(trx, newEvent('OrderDelivered', { orderId: late, deliveredAt: 1 }), cause)
      lateId = Number((await trx('outbox').where({ aggregate_id: late }).first('id')).id)
      await lateHolds
    })
    await eventually(() => expect(lateId).toBeGreaterThan(0))
    await f.write(early, 1)
    relay.wake()
    await eventually(async () => expect(await f.db('outbox').where({ aggregate_id: early }).whereNotNull('published_at')).toHaveLength(1))
    const earlyId = Number((await f.db('outbox').where({ aggregate_id: early }).first('id')).id)
    expect(lateId).toBeLessThan(earlyId)
    commitLate()
    await lateTrx
    relay.wake()
    await eventually(async () => expect(await f.db('outbox').where({ aggregate_id: late }).whereNotNull('published_at')).toHaveLength(1))
    await relay.stop()
    const keys = (await f.published()).map((e) => e.orderId)
    expect(keys).toContain(late)
    expect(keys).toContain(early)
  })

  it('purges published rows older than the retention, in batches, and keeps the rest', async () => {
    const keep = randomUUID()
    const old = randomUUID()
    for (let i = 0; i < 5; i++) await f.write(old, i)
    await f.db('outbox').where({ aggregate_id: old }).update({ published_at: new Date(Date.now() - 7_200_000) })
    await f.write(keep, 0)
    const relay = f.relay({ retentionMs: 3_600_000, purgeIntervalMs: 0, purgeBatchSize: 2 })
    relay.start()
    await eventually(async () => expect(await f.db('outbox').where({ aggregate_id: old })).toHaveLength(0))
    await relay.stop()
    expect(await f.db('outbox').where({ aggregate_id: keep })).toHaveLength(1)
  })

  it('keeps publishing while a large purge runs beside it, a bounded pass at a time', async () => {
    const old = randomUUID()
    const countOld = async (): Promise<number> => Number((await f.db('outbox').where({ aggregate_id: old }).count({ n: '*' }))[0]!.n)
    await f.db.raw(`INSERT INTO outbox (event_id, aggregate_type, aggregate_id, event_type, topic, payload, headers, created_at, published_at)
      SELECT gen_random_uuid()::text, 'order', ?, 'OrderDelivered', ?, '{}'::jsonb, '{}'::jsonb, now() - interval '3 hours', now() - interval '2 hours'
      FROM generate_series(1, 100000)`, [old, f.topic])
    // Passes of 5 × 1,000 rows every 200 ms: the backlog takes 20 passes, some seconds.
    const relay = f.relay({ retentionMs: 3_600_000, purgeIntervalMs: 200, purgeBatchSize: 1000, purgeBatchesPerPass: 5 })
    relay.start()
    try {
      await eventually(async () => expect(await countOld()).toBeLessThan(100_000)) // the purge has begun
      const fresh = randomUUID()
      for (let seq = 0; seq < 5; seq++) await f.write(fresh, seq)
      relay.wake()
      await eventually(async () => expect(await f.db('outbox').where({ aggregate_id: fresh }).whereNull('published_at')).toHaveLength(0))
      // Published while the purge still had most of its work ahead: it did not wait for it.
      expect(await countOld()).toBeGreaterThan(50_000)
      await eventually(async () => expect(await countOld()).toBe(0), { timeoutMs: 60_000 })
    } finally {
      await relay.stop()
    }
  })
})
