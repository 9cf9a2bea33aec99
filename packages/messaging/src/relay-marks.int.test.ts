import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { eventually } from '@choreo/testkit'
import type { Dialect, HeldConnection } from './dialects/index.ts'
import { postgresDialect } from './dialects/postgres.ts'
import { createFixture, type Fixture } from './testing/fixture.ts'

// Long enough that only a wake-up explains a read.
const NO_POLL = { pollIntervalMs: 60_000, listeningPollIntervalMs: 60_000 }

describe('the relay marks an acknowledged batch with its next read', () => {
  let f: Fixture
  beforeEach(async () => { f = await createFixture('relay-marks') })
  afterEach(async () => { await f.close() })

  const publishedAt = async (eventId: string): Promise<Date | null> =>
    (await f.db('outbox').where({ event_id: eventId }).first('published_at')).published_at
  const onTopic = async (eventId: string) => (await f.published()).filter((e) => e.eventId === eventId).length

  it('leaves a batch unmarked until the read that finds the next one, and marks the last one before it stops', async () => {
    const relay = f.relay({ ...NO_POLL, markDelayMs: 60_000 })
    relay.start()
    await eventually(() => expect(relay.holdsLease).toBe(true))
    const first = await f.write('order-1', 1)
    relay.wake()
    await eventually(async () => expect(await onTopic(first)).toBe(1))
    // Acknowledged, and no read since: its mark waits for one.
    expect(await publishedAt(first)).toBeNull()

    const second = await f.write('order-1', 2)
    relay.wake()
    await eventually(async () => expect(await onTopic(second)).toBe(1))
    // The statement that read the second row marked the first.
    expect(await publishedAt(first)).not.toBeNull()
    expect(await publishedAt(second)).toBeNull()

    await relay.stop()
    expect(await publishedAt(second)).not.toBeNull()
    expect([await onTopic(first), await onTopic(second)]).toEqual([1, 1])
  })

  it('commits its marks without waiting for a WAL flush: its lease session runs with synchronous_commit off', async () => {
    const sessions: HeldConnection[] = []
    const dialect: Dialect = {
      ...postgresDialect,
      async skipCommitFlush(db, conn) {
        await postgresDialect.skipCommitFlush!(db, conn)
        sessions.push(conn)
      },
    }
    const relay = f.relay({}, { dialect })
    relay.start()
    await eventually(() => expect(relay.holdsLease).toBe(true))
    expect(sessions).toHaveLength(1)
    const { rows } = await f.db.raw('SHOW synchronous_commit').connection(sessions[0])
    expect(rows[0].synchronous_commit).toBe('off')
    // The pool's sessions, which commit the business transactions, keep the server's default.
    expect((await f.db.raw('SHOW synchronous_commit')).rows[0].synchronous_commit).toBe('on')
    const eventId = await f.write('order-1', 1)
    relay.wake()
    await eventually(async () => expect(await publishedAt(eventId)).not.toBeNull())
  })

  it('marks a batch at once where the dialect cannot mark within a read (SQL Server): waiting would save nothing', async () => {
    const relay = f.relay({ ...NO_POLL, markDelayMs: 60_000 }, { dialect: { ...postgresDialect, withUpdate: undefined } })
    relay.start()
    await eventually(() => expect(relay.holdsLease).toBe(true))
    const eventId = await f.write('order-1', 1)
    relay.wake()
    await eventually(async () => expect(await publishedAt(eventId)).not.toBeNull(), { timeoutMs: 5000 })
    expect(await onTopic(eventId)).toBe(1)
  })

  it('marks a batch within the mark delay when no wake-up comes: a read of its own marks it', async () => {
    const relay = f.relay({ ...NO_POLL, markDelayMs: 100 })
    relay.start()
    await eventually(() => expect(relay.holdsLease).toBe(true))
    const eventId = await f.write('order-1', 1)
    relay.wake()
    await eventually(async () => expect(await publishedAt(eventId)).not.toBeNull(), { timeoutMs: 5000 })
    await relay.stop()
    expect(await onTopic(eventId)).toBe(1)
  })
})
