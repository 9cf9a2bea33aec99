import knex from 'knex'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { eventually, infra, startTcpProxy } from '@choreo/testkit'
import { postgresDialect } from './dialects/postgres.ts'
import { silentLogger } from './logger.ts'
import { crossProcessWaker } from './outbox-wakeups.ts'
import { createFixture, type Fixture } from './testing/fixture.ts'

const countUnpublished = async (f: Fixture) => Number((await f.db('outbox').whereNull('published_at').count({ n: '*' }))[0]?.n)
// Long enough that only a wake-up can explain a row published in time.
const NO_POLL = { pollIntervalMs: 60_000, listeningPollIntervalMs: 60_000 }

describe('a commit in another process wakes the relay', () => {
  let f: Fixture
  beforeEach(async () => { f = await createFixture('relay-wakeups') })
  afterEach(async () => { await f.close() })

  it('publishes a row committed by a standby instance at once: its wake-up notifies the holder through the database', async () => {
    const holder = f.relay({ name: 'shared', ...NO_POLL })
    const standby = f.relay({ name: 'shared', ...NO_POLL })
    holder.start()
    await eventually(() => expect(holder.holdsLease).toBe(true))
    standby.start()
    // Both idle now, the holder for a minute unless woken.
    await new Promise((r) => setTimeout(r, 300))
    expect(standby.holdsLease).toBe(false)

    const started = Date.now()
    await f.write('order-1', 0)
    standby.wake() // what the standby's messaging.transaction does after its commit
    await eventually(async () => expect(await countUnpublished(f)).toBe(0), { timeoutMs: 3000 })
    expect(Date.now() - started).toBeLessThan(3000)
  })

  it('still finds a row nobody woke it for, by its listening poll', async () => {
    const holder = f.relay({ name: 'shared', pollIntervalMs: 60_000, listeningPollIntervalMs: 300 })
    holder.start()
    await eventually(() => expect(holder.holdsLease).toBe(true))
    await new Promise((r) => setTimeout(r, 300))
    await f.write('order-1', 0)
    await eventually(async () => expect(await countUnpublished(f)).toBe(0), { timeoutMs: 3000 })
  })

  it('gets past a connection gone silent: the notice on it is cut, the next goes on a new one, and close does not wait for it', async () => {
    const holder = f.relay({ name: 'shared', ...NO_POLL })
    holder.start()
    await eventually(() => expect(holder.holdsLease).toBe(true))
    const pg = new URL(infra().postgresUrl)
    const proxy = await startTcpProxy({ host: pg.hostname, port: Number(pg.port || 5432) })
    const otherProcess = knex({ client: 'pg', connection: proxy.url(f.database.url), pool: { min: 0, max: 2 } })
    const waker = crossProcessWaker(otherProcess, postgresDialect, 'shared', silentLogger)
    try {
      await f.write('order-1', 0)
      waker.wake()
      await eventually(async () => expect(await countUnpublished(f)).toBe(0), { timeoutMs: 3000 })

      proxy.silenceExisting() // the waker's connection now swallows its notice, and answers nothing
      await f.write('order-1', 1)
      waker.wake()
      await new Promise((r) => setTimeout(r, 500))
      await f.write('order-1', 2)
      waker.wake() // queued behind the silent one, sent on a new connection once that one is cut
      await eventually(async () => expect(await countUnpublished(f)).toBe(0), { timeoutMs: 6000 })

      proxy.silenceExisting()
      await f.write('order-1', 3)
      waker.wake()
      const closing = Date.now()
      await waker.close()
      expect(Date.now() - closing).toBeLessThan(1000)
    } finally {
      await waker.close()
      await otherProcess.destroy()
      await proxy.close()
    }
  })
})
