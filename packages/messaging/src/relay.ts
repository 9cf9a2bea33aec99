// The outbox relay: publishes committed rows to Kafka in id order under a lease, marks them once acknowledged, parks poison rows, purges.
import type { Knex } from 'knex'
import type { Producer, Message } from 'kafkajs'
import type { EventType } from '@choreo/contracts'
import { sendAcknowledged } from './acknowledged.ts'
import type { EventCodec } from './avro.ts'
import { backoffDelay, sleep, type Backoff } from './backoff.ts'
import type { Dialect, HeldConnection } from './dialects/index.ts'
import { openLeaseSession, type LeaseSession } from './lease-session.ts'
import { crossProcessWaker, outboxChannel } from './outbox-wakeups.ts'
import { permanentFailure } from './publish-failure.ts'
import type { Logger } from './logger.ts'
import type { MessagingMetrics } from './metrics.ts'

/*
 * The relay publishes outbox rows to Kafka, oldest id first, and then marks them published.
 *
 * Guarantees, and what gives them:
 * - Nothing lost: a row is marked only after the broker acknowledged it (acks=all); a crash in
 *   between republishes it, and consumers drop the copy by event id (inbox).
 * - Per-key order = commit order: enqueue takes a transaction-scoped lock on each key it
 *   writes (dialect.insertOutbox), so two transactions writing the same key commit in the order of
 *   their ids. The relay reads unpublished rows by id and sends a batch with one in-flight
 *   request, so a partition receives one key's rows in id order.
 * - Late commits are not skipped: the relay never keeps a high-water mark; it selects every
 *   row whose published_at is null. A row with a lower id that commits after a higher one was
 *   published is simply found by the next poll (it is necessarily of another key, see above).
 * - One publisher per database: the relay holds a session-level lock (advisory lock /
 *   sp_getapplock) on a connection of its own, outside the pool, that it does all its work on
 *   (lease-session.ts). If the process dies, the session ends and the lock with it; a standby
 *   relay polls for it and takes over. Safety does not rest on the lease alone: two publishers
 *   would only duplicate, never reorder, because a row is marked only after its ack and each
 *   publisher sends in id order. A session that fails, or whose unlock fails, is closed, never
 *   reused: a closed session holds no lock.
 * - A silent connection (a proxy or NAT that stops forwarding without closing) hands the lease
 *   over within a bound. Keepalive cannot see it: the middlebox's kernel answers the probes, and
 *   the server, with nothing to send, keeps the session and its lock. So the lease session has
 *   idle_session_timeout = leaseIdleTimeoutMs (PostgreSQL 14+), and a heartbeat (SELECT 1 every
 *   third of it) keeps a healthy session from ever idling that long, also while the relay sends
 *   to Kafka or backs off. Once the connection falls silent the server ends the session within
 *   leaseIdleTimeoutMs of the last statement it received, and a standby takes the lease at its
 *   next try: takeover <= leaseIdleTimeoutMs + leaseRetryMs after the silence. The old holder's
 *   reads, marks and heartbeats go unanswered; its client's query_timeout rejects them and the
 *   relay closes the socket and competes for the lease as a standby. Loss and order: the old
 *   holder can only finish sending the batch it had already read before the silence, since every
 *   next batch needs a read; it marks nothing more. The standby sends every unmarked row again in
 *   id order, that batch included; consumers drop the copies by event id. On the topic, each
 *   copy of a key's rows is in id order, so the first occurrences are too.
 * - Marks need no flush: the lease session commits its marks (published, parked) without waiting
 *   for the WAL to reach disk (dialect.skipCommitFlush; synchronous_commit off on PostgreSQL). A
 *   server crash can lose the last of them, and those rows are sent again: copies, as above. The
 *   relay's reads, which carry the previous batch's mark, then wait on no disk flush.
 * - Broker outage: the send fails, nothing is marked, the relay keeps its lease, backs off and
 *   sends the same rows again when the broker is back.
 * - Bytes as written: enqueue encoded each event with the writing build's schema; the relay sends
 *   those bytes untouched, so during a rolling upgrade an older relay holding the lease neither
 *   drops a newer build's fields nor stops at an event type it does not know. Only rows written
 *   before the outbox held bytes are encoded here (migrations.ts, outboxEncoded).
 * - A poison row is parked, per-key order kept: when a send fails for good (publish-failure.ts),
 *   the batch's rows are sent one at a time to find the row; it is marked parked with the reason,
 *   the rows before it are marked published, and every later row of its key waits (readBatch
 *   skips a row with a parked one of its key below it) while other keys flow. An operator retries
 *   or discards it (./choreo dlq).
 * - Housekeeping stays off the hot path: published rows past retentionMs are purged by the lease
 *   holder in passes of bounded batches on a pooled connection, beside publishing, never on the
 *   lease session, so a large purge delays no send.
 */

export interface RelayOptions {
  /** Lease name: one active relay per name and database. */
  name: string
  batchSize: number
  /**
   * Poll for rows written by other processes where the database cannot notify (SQL Server).
   * Commits in this process wake the relay at once, and on PostgreSQL so do other processes'.
   */
  pollIntervalMs: number
  /** While the relay listens for other processes' notices, it still polls this often, for a notice lost with a connection. */
  listeningPollIntervalMs: number
  /**
   * How long an acknowledged batch may wait to be marked published, for the relay's next read to
   * mark it in the same round trip (PostgreSQL). A crash meanwhile sends it again: copies,
   * which consumers drop by event id.
   */
  markDelayMs: number
  leaseRetryMs: number
  /** The server ends the lease session after this long without a statement: the takeover bound for a silent connection. */
  leaseIdleTimeoutMs: number
  /** Published rows are kept this long (for saga trace, replay, republish), then purged. */
  retentionMs: number
  /** How often the lease holder starts a purge pass; the first one an interval after start. */
  purgeIntervalMs: number
  /** Rows per DELETE: each batch is a statement of its own, holding few locks for little time. */
  purgeBatchSize: number
  /** Batches per pass at most: a pass that finds more leaves them to the next. */
  purgeBatchesPerPass: number
  backoff: Backoff
}

export interface Relay {
  start(): void
  /** Tells the relay that a transaction just committed outbox rows. */
  wake(): void
  /** Finishes the batch in flight, releases the lease. */
  stop(): Promise<void>
  readonly holdsLease: boolean
}

interface OutboxRow {
  id: string | number
  event_type: EventType
  topic: string
  aggregate_id: string
  /** The Confluent-framed bytes written at enqueue; null on a row written before the outbox held them. */
  value: Buffer | null
  payload: string | Record<string, unknown>
  headers: string | Record<string, string>
  created_at: Date | string
}

const parse = <T>(v: string | T): T => (typeof v === 'string' ? (JSON.parse(v) as T) : v)

/**
 * The next rows to publish, oldest first: unpublished, not parked, and with no parked row of their
 * key below them (that row's key waits for it).
 */
export function unpublishedRows(db: Knex, limit: number): Knex.QueryBuilder {
  return db('outbox')
    .select('id', 'event_type', 'topic', 'aggregate_id', 'value', 'payload', 'headers', 'created_at')
    .whereNull('published_at').whereNull('parked_at')
    .whereNotExists((parked) => {
      parked.select(db.raw('1')).from('outbox as parked')
        .whereRaw('?? = ??', ['parked.aggregate_id', 'outbox.aggregate_id'])
        .whereNotNull('parked.parked_at').whereNull('parked.discarded_at')
        .whereRaw('?? < ??', ['parked.id', 'outbox.id'])
    })
    .orderBy('id').limit(limit)
}

export function createRelay(deps: {
  db: Knex
  dialect: Dialect
  codec: EventCodec
  /** Called for a fresh producer at start and after every failure. */
  createProducer: () => Producer
  /** Whether the cluster lists the topic: a send to a missing topic parks the row (see publish-failure.ts). */
  topicExists?: (topic: string) => Promise<boolean>
  logger: Logger
  metrics?: MessagingMetrics
  options: RelayOptions
}): Relay {
  const { db, dialect, codec, createProducer, logger, metrics, options } = deps
  const stopping = new AbortController()
  let wakeUp: (() => void) | null = null
  let pending = false
  let holdsLease = false
  let producer: Producer | null = null
  let running: Promise<void> | null = null
  let lastPurge = Date.now()
  let purging: Promise<void> | null = null
  let publishFailures = 0

  const wakeOthers = crossProcessWaker(db, dialect, options.name, logger)

  function wakeHere(): void {
    pending = true
    wakeUp?.()
  }

  /** After a commit here: this relay wakes, or if another process holds the lease, that process's relay is notified. */
  function wake(): void {
    wakeHere()
    if (!holdsLease) wakeOthers.wake()
  }

  /** Waits for a wake-up, the poll interval or stop, whichever comes first. */
  async function idle(ms: number): Promise<void> {
    if (pending || stopping.signal.aborted) return
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms)
      function done(): void { clearTimeout(timer); wakeUp = null; stopping.signal.removeEventListener('abort', done); resolve() }
      wakeUp = done
      stopping.signal.addEventListener('abort', done, { once: true })
    })
  }

  async function publish(rows: OutboxRow[]): Promise<void> {
    const unencoded = rows.filter((r) => r.value === null)
    if (unencoded.length > 0) await codec.register([...new Set(unencoded.map((r) => r.event_type))])
    const byTopic = new Map<string, Message[]>()
    for (const row of rows) {
      const messages = byTopic.get(row.topic) ?? []
      messages.push({ key: row.aggregate_id, value: row.value ?? codec.encode(row.event_type, parse(row.payload)), headers: parse(row.headers) })
      byTopic.set(row.topic, messages)
    }
    if (!producer) {
      const fresh = createProducer()
      await fresh.connect()
      producer = fresh
    }
    // Throws, like a failed send, unless every partition sent to acknowledged: then nothing is marked.
    await sendAcknowledged(producer, [...byTopic].map(([topic, messages]) => ({ topic, messages })))
  }

  /** Starts a purge pass unless one runs; it goes on beside publishing, on a pooled connection. */
  function purgeInBackground(): void {
    if (purging) return
    lastPurge = Date.now()
    purging = purgePass().then(
      (deleted) => { if (deleted > 0) logger.debug({ deleted }, 'purged published outbox rows') },
      (err: unknown) => { logger.warn({ err }, 'purging published outbox rows failed; trying again next interval') },
    ).finally(() => { purging = null })
  }

  async function purgePass(): Promise<number> {
    const cutoff = new Date(Date.now() - options.retentionMs)
    let total = 0
    for (let batch = 0; batch < options.purgeBatchesPerPass && !stopping.signal.aborted; batch++) {
      const deleted = await db('outbox')
        .whereIn('id', db('outbox').select('id').where('published_at', '<', cutoff).orderBy('id').limit(options.purgeBatchSize))
        .delete()
      total += deleted
      if (deleted < options.purgeBatchSize) break
    }
    // Discarded rows are parked ones (their partial index finds them), kept as long as published ones.
    total += await db('outbox')
      .whereIn('id', db('outbox').select('id').whereNotNull('parked_at').where('discarded_at', '<', cutoff).orderBy('id').limit(options.purgeBatchSize))
      .delete()
    return total
  }

  /**
   * Unpublished rows, oldest first, leaving out a batch still being sent, parked rows, and every
   * row with a parked row of its key below it (it waits, so its key's order holds).
   */
  function readBatch(conn: HeldConnection, sending: OutboxRow[]): Promise<OutboxRow[]> {
    return readQuery(conn, sending).then((rows: OutboxRow[]) => rows)
  }

  function readQuery(conn: HeldConnection, sending: OutboxRow[]): Knex.QueryBuilder {
    const query = unpublishedRows(db, options.batchSize).connection(conn)
    return sending.length > 0 ? dialect.whereIdNotIn(query, sending.map((r) => r.id)) : query
  }

  /**
   * A send of `rows` failed for good: sends them one at a time, in id order, to find the row that
   * cannot be published; parks it and skips the rest of its key, marks what went through. Returns
   * the error that interrupted it when one is not permanent (an outage meanwhile): the caller backs off.
   */
  async function isolate(conn: HeldConnection, rows: OutboxRow[]): Promise<unknown> {
    const sent: OutboxRow[] = []
    const blocked = new Set<string>()
    try {
      for (const row of rows) {
        if (blocked.has(row.aggregate_id) || stopping.signal.aborted) continue
        try {
          await publish([row])
          observeAcknowledged([row])
          sent.push(row)
        } catch (err) {
          // A producer that failed may keep what failed (kafkajs keeps a missing topic among those it refreshes).
          await resetProducer()
          const reason = await permanentFailure(err, [row.topic], deps.topicExists)
          if (reason === null) return err
          await park(conn, row, reason)
          blocked.add(row.aggregate_id)
        }
      }
      return null
    } finally {
      if (sent.length > 0) await markPublished(conn, sent)
    }
  }

  async function park(conn: HeldConnection, row: OutboxRow, reason: string): Promise<void> {
    await db('outbox').connection(conn).where('id', row.id).update({ parked_at: db.fn.now(), parked_reason: reason.slice(0, 2000) })
    metrics?.parked.inc()
    logger.error({ outboxId: String(row.id), eventType: row.event_type, key: row.aggregate_id, topic: row.topic, reason },
      'outbox row parked: it cannot be published; later rows of its key wait (./choreo dlq list)')
  }

  function markQuery(conn: HeldConnection, rows: OutboxRow[]): Knex.QueryBuilder {
    return dialect.whereIdIn(db('outbox').connection(conn), rows.map((r) => r.id)).update({ published_at: db.fn.now() })
  }

  async function markPublished(conn: HeldConnection, rows: OutboxRow[]): Promise<void> {
    await markQuery(conn, rows)
    metrics?.published.inc(rows.length)
  }

  /**
   * Marks `marked` and reads the next batch (without them: the read does not see the mark), in
   * one statement. Only where the dialect has withUpdate does a batch wait for a read to mark it.
   */
  async function markThenRead(conn: HeldConnection, withUpdate: NonNullable<Dialect['withUpdate']>, marked: OutboxRow[]): Promise<OutboxRow[]> {
    const rows: OutboxRow[] = await withUpdate(readQuery(conn, marked), 'marked', markQuery(conn, marked))
    metrics?.published.inc(marked.length)
    return rows
  }

  function observeAcknowledged(rows: OutboxRow[]): void {
    const now = Date.now()
    for (const row of rows) metrics?.publishLatency.observe((now - new Date(row.created_at).getTime()) / 1000)
  }

  async function publishWhileLeased(conn: HeldConnection): Promise<void> {
    // While the broker acknowledges a full batch n, the held connection marks batch n-1 and reads
    // batch n+1 (without n's rows). The last batch of a drain is marked by the next read, in the
    // same round trip; that read comes on a wake-up or after markDelayMs. Sends stay one at a time
    // and in id order, and a batch is marked only after its ack; a failed mark ends the session
    // (see run) and those rows are sent again later: copies, which consumers drop by event id.
    let marking: Promise<void> = Promise.resolve()
    let prefetched: OutboxRow[] | null = null
    let unmarked: OutboxRow[] = []
    try {
      while (!stopping.signal.aborted) {
        pending = false
        let rows: OutboxRow[]
        if (prefetched) rows = prefetched
        else if (unmarked.length > 0 && dialect.withUpdate) {
          rows = await markThenRead(conn, dialect.withUpdate.bind(dialect), unmarked)
          unmarked = []
        } else rows = await readBatch(conn, [])
        prefetched = null
        if (rows.length > 0) {
          const previous = marking
          const [sent, read] = await Promise.allSettled([
            publish(rows),
            previous.then((): Promise<OutboxRow[]> | null => (rows.length === options.batchSize ? readBatch(conn, rows) : null)),
          ])
          if (read.status === 'rejected') throw read.reason
          let failure: unknown = sent.status === 'rejected' ? sent.reason : null
          if (failure !== null && (await permanentFailure(failure, [...new Set(rows.map((r) => r.topic))], deps.topicExists)) !== null) {
            await previous
            failure = await isolate(conn, rows)
            if (failure === null) continue
          }
          if (failure !== null) {
            // Broker or registry away: keep the lease, mark nothing, try the same rows again.
            publishFailures++
            logger.warn({ err: failure, failures: publishFailures, rows: rows.length }, 'publishing failed; backing off')
            await resetProducer()
            await sleep(backoffDelay(publishFailures, options.backoff), stopping.signal)
            continue
          }
          publishFailures = 0
          observeAcknowledged(rows)
          // Where the dialect cannot mark within a read (SQL Server), waiting would save no round trip.
          if (rows.length < options.batchSize && dialect.withUpdate) unmarked = rows
          else {
            marking = markPublished(conn, rows)
            marking.catch(() => {}) // awaited below or by the next batch; this only keeps it from counting as unhandled meanwhile
            prefetched = read.value
          }
        }
        if (Date.now() - lastPurge > options.purgeIntervalMs) purgeInBackground()
        if (rows.length < options.batchSize) {
          await marking
          const pollMs = dialect.wakeups ? options.listeningPollIntervalMs : options.pollIntervalMs
          // An unmarked batch waits for the next read markDelayMs at most: a wake-up's, or its own.
          await idle(unmarked.length > 0 ? Math.min(options.markDelayMs, pollMs) : pollMs)
        }
      }
      // Stopping: what was acknowledged is marked before the lease goes, so a successor does not send it again.
      if (unmarked.length > 0) await markPublished(conn, unmarked)
    } finally {
      await marking
    }
  }

  async function resetProducer(): Promise<void> {
    // A fresh producer is safest after a failure: kafkajs's idempotent producer may hold
    // sequence numbers the broker has forgotten after an outage.
    await producer?.disconnect().catch(() => {})
    producer = null
  }

  async function run(): Promise<void> {
    let failures = 0
    while (!stopping.signal.aborted) {
      let session: LeaseSession | undefined
      try {
        session = await openLeaseSession({ db, dialect, logger, name: options.name, idleTimeoutMs: options.leaseIdleTimeoutMs })
        await dialect.skipCommitFlush?.(db, session.conn)
        // A standby keeps its session and asks again every leaseRetryMs.
        while (!(await session.tryLease())) {
          await sleep(options.leaseRetryMs, stopping.signal)
          if (stopping.signal.aborted) return
        }
        // Listening before the first read: a row committed by another process from now on either is read or wakes it.
        await dialect.wakeups?.listen(db, session.conn, outboxChannel(options.name), wakeHere)
        holdsLease = true
        logger.info({ lease: options.name }, 'relay holds the outbox lease')
        failures = 0
        await publishWhileLeased(session.conn)
      } catch (err) {
        failures++
        logger.warn({ err, lease: options.name, failures }, 'relay lost its database session; backing off')
        // Closed before backing off, without an unlock that could hang as the session did: a
        // failed session must not keep the lease from a standby meanwhile.
        session?.destroy()
        holdsLease = false
        await resetProducer()
        await sleep(backoffDelay(failures, options.backoff), stopping.signal)
      } finally {
        holdsLease = false
        await session?.close()
      }
    }
  }

  return {
    start() {
      running ??= run()
    },
    wake,
    async stop() {
      stopping.abort()
      await running
      await purging
      await wakeOthers.close()
      await producer?.disconnect()
      producer = null
    },
    get holdsLease() {
      return holdsLease
    },
  }
}
