import net from 'node:net'
import knex, { type Knex } from 'knex'
import { Kafka, logLevel } from 'kafkajs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { eventually, infra, kafkaAuth, readTopic, startTcpProxy, type TcpProxy } from '@choreo/testkit'
import type { Dialect } from './dialects/index.ts'
import { postgresDialect } from './dialects/postgres.ts'
import { createProducer } from './kafka.ts'
import { silentLogger } from './logger.ts'
import { createRelay, type Relay } from './relay.ts'
import { createFixture, fastRelay, firstOccurrencesByKey, ids, type Fixture } from './testing/fixture.ts'

// Short enough for a test; the relation between the values is what production keeps.
const LEASE_IDLE_TIMEOUT_MS = 2000
const LEASE_RETRY_MS = 100
// One read and one send by the new holder, on a loaded two-core machine.
const SEND_ALLOWANCE_MS = 1500
const TAKEOVER_BOUND_MS = LEASE_IDLE_TIMEOUT_MS + LEASE_RETRY_MS + SEND_ALLOWANCE_MS
// The silenced holder's client gives up long after the bound, so it cannot be the one that
// takes the lease back within it: whatever is published after the silence is the standby's.
const SILENCED_QUERY_TIMEOUT_MS = 8000
// Paces each key's writer: a steady stream, not a flood, on a machine others share.
const WRITE_PAUSE_MS = 10

/** Advisory locks in the two-integer form on this database: only the relay's lease takes those. */
async function leaseHolders(db: Knex): Promise<number[]> {
  const { rows } = await db.raw<{ rows: { pid: number }[] }>(
    `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 2 AND granted
       AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
  )
  return rows.map((r) => r.pid)
}

describe('relay lease', () => {
  let f: Fixture
  let proxy: TcpProxy
  let viaProxy: Knex
  let kafka: Kafka
  const relays: Relay[] = []

  beforeEach(async () => {
    f = await createFixture('relay-lease')
    const pg = new URL(infra().postgresUrl)
    proxy = await startTcpProxy({ host: pg.hostname, port: Number(pg.port || 5432) })
    viaProxy = knex({
      client: 'pg',
      connection: { connectionString: proxy.url(f.database.url), query_timeout: SILENCED_QUERY_TIMEOUT_MS },
      pool: { min: 0, max: 2 },
    })
    kafka = new Kafka({ clientId: 'relay-lease', brokers: infra().brokers, ...kafkaAuth(), logLevel: logLevel.NOTHING })
  })

  afterEach(async () => {
    for (const relay of relays.splice(0)) await relay.stop()
    await viaProxy.destroy()
    await proxy.close()
    await f.close()
  })

  function relayOn(db: Knex, { dialect = postgresDialect, leaseIdleTimeoutMs = LEASE_IDLE_TIMEOUT_MS, via = kafka } = {}): Relay {
    const relay = createRelay({
      db, dialect, codec: f.codec, logger: silentLogger,
      createProducer: () => createProducer(via),
      options: { ...fastRelay, name: 'lease', leaseRetryMs: LEASE_RETRY_MS, leaseIdleTimeoutMs },
    })
    relays.push(relay)
    return relay
  }

  it('hands the lease to a standby within idle timeout + retry when the holder\'s connection falls silent, losing and reordering nothing', async () => {
    const active = relayOn(viaProxy)
    active.start()
    await eventually(async () => expect(await leaseHolders(f.db)).toHaveLength(1))
    const standby = relayOn(f.db)
    standby.start()

    // Writers keep committing, each key's events one after another: per key, id order = seq order.
    const keys = ids(6)
    const startedAt = new Map<string, number>()
    const written = new Map<string, number>(keys.map((k) => [k, 0]))
    let writing = true
    const writers = Promise.all(keys.map(async (key) => {
      for (let seq = 0; writing; seq++) {
        const started = Date.now()
        startedAt.set(await f.write(key, seq), started)
        written.set(key, seq + 1)
        await new Promise((r) => setTimeout(r, WRITE_PAUSE_MS))
      }
    }))

    const publishedRows = async () => Number((await f.db('outbox').whereNotNull('published_at').count({ n: '*' }))[0]?.n)
    let silencedAt = 0
    try {
      await eventually(async () => expect(await publishedRows()).toBeGreaterThan(100))
      silencedAt = Date.now()
      proxy.silenceExisting()
      // A row whose write began after the silence is one the silenced relay cannot have read: its
      // being marked published means another session publishes.
      await eventually(async () => {
        const after = await f.db('outbox').select('event_id').whereNotNull('published_at').andWhere('created_at', '>', new Date(silencedAt + 100))
        expect(after.length).toBeGreaterThan(0)
      }, { timeoutMs: TAKEOVER_BOUND_MS + 10_000 })
    } finally {
      writing = false
      await writers
    }
    await eventually(async () => expect(Number((await f.db('outbox').whereNull('published_at').count({ n: '*' }))[0]?.n)).toBe(0))
    for (const relay of relays.splice(0)) await relay.stop()

    const messages = await readTopic(f.topic)
    const published = await Promise.all(messages.map(async (m) => {
      const { payload } = await f.codec.decode(m.value!)
      return { orderId: String(payload.orderId), seq: Number(payload.deliveredAt), eventId: String(payload.eventId), timestamp: m.timestamp }
    }))
    // The first message of a row written after the silence, by its producer timestamp.
    const firstAfterSilence = Math.min(...published.filter((p) => (startedAt.get(p.eventId) ?? 0) > silencedAt).map((p) => p.timestamp))
    const takeoverMs = firstAfterSilence - silencedAt
    const rows = Number((await f.db('outbox').count({ n: '*' }))[0]?.n)
    console.log(`takeover ${takeoverMs} ms after the silence (bound ${TAKEOVER_BOUND_MS} ms); ${published.length} messages for ${rows} rows`)
    expect(takeoverMs).toBeLessThanOrEqual(TAKEOVER_BOUND_MS)

    // Nothing lost, and each key's first occurrences in commit order.
    const byKey = firstOccurrencesByKey(published)
    expect(new Set(published.map((p) => p.eventId)).size).toBe(rows)
    for (const key of keys) {
      expect(byKey.get(key), `key ${key}`).toEqual(Array.from({ length: written.get(key)! }, (_, i) => i))
    }
  })

  it('closes a lease session whose unlock fails, so that no session is left holding the lease', async () => {
    // The unlock reaches the real server and fails there, leaving a live session that holds the lock.
    const failingUnlock: Dialect = {
      ...postgresDialect,
      async releaseLease(db, conn) {
        await db.raw('SELECT no_such_function()').connection(conn)
      },
    }
    // An idle timeout far longer than the test waits: the server's timer must not be what ends the session.
    const relay = relayOn(f.db, { dialect: failingUnlock, leaseIdleTimeoutMs: 600_000 })
    relay.start()
    const [holder] = await eventually(async () => {
      const holders = await leaseHolders(f.db)
      expect(holders).toHaveLength(1)
      return holders
    })
    await relay.stop()
    await eventually(async () => {
      expect(await leaseHolders(f.db)).toEqual([])
      const { rows } = await f.db.raw<{ rows: unknown[] }>('SELECT 1 FROM pg_stat_activity WHERE pid = ?', [holder!])
      expect(rows).toEqual([])
    }, { timeoutMs: 5000 })
  })

  it('keeps a healthy lease through a send to Kafka that outlasts the idle timeout: the heartbeat speaks for it', async () => {
    // A proxy per broker (one node, or each of a cluster's), so that every broker connection,
    // the ones kafkajs opens to the leaders it learns from the metadata included, can go silent.
    const proxies = new Map<string, TcpProxy>()
    for (const address of infra().brokers) {
      const [host, port] = address.split(':')
      proxies.set(address, await startTcpProxy({ host: host!, port: Number(port) }))
    }
    const proxyOf = (host: string, port: number) => {
      const proxy = proxies.get(`${host}:${port}`) ?? proxies.get(`127.0.0.1:${port}`)
      if (!proxy) throw new Error(`no proxy for broker ${host}:${port}`)
      return proxy
    }
    try {
      // Every broker connection goes through its proxy; a request outlives three idle timeouts.
      const silentKafka = new Kafka({
        clientId: 'relay-lease-silent', brokers: infra().brokers, ...kafkaAuth(), logLevel: logLevel.NOTHING,
        requestTimeout: 4 * LEASE_IDLE_TIMEOUT_MS, retry: { retries: 0 },
        socketFactory: ({ host, port, onConnect }) => net.connect({ host: '127.0.0.1', port: proxyOf(host, port).port }, onConnect),
      })
      const active = relayOn(f.db, { via: silentKafka })
      active.start()
      const [holder] = await eventually(async () => {
        const holders = await leaseHolders(f.db)
        expect(holders).toHaveLength(1)
        return holders
      })
      const standby = relayOn(f.db)
      standby.start()
      // One key for both writes: the second goes to the partition leader whose connection the first
      // opened, the one silenced (on a cluster, another leader would get a connection opened after).
      const orderId = 'heartbeat-order'
      await f.write(orderId, 0)
      await eventually(async () => expect(Number((await f.db('outbox').whereNull('published_at').count({ n: '*' }))[0]?.n)).toBe(0))

      for (const proxy of proxies.values()) proxy.silenceExisting()
      await f.write(orderId, 1)
      // The server's idle timer gets three chances to end the session while the send hangs.
      await new Promise((r) => setTimeout(r, 3 * LEASE_IDLE_TIMEOUT_MS))

      // Still unpublished: the send was hanging all along, and no other relay took over to send it.
      expect(Number((await f.db('outbox').whereNull('published_at').count({ n: '*' }))[0]?.n)).toBe(1)
      expect(await leaseHolders(f.db)).toEqual([holder])
    } finally {
      // Broker connections closed first: the hanging send then fails at once and stop() need not wait for it.
      for (const proxy of proxies.values()) await proxy.close()
      for (const relay of relays.splice(0)) await relay.stop()
    }
  })
})
