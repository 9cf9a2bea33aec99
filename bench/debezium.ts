// Debezium's outbox event router, timed streaming outbox rows written as the services write them, to compare the relay with change data capture.
import path from 'node:path'
import knex from 'knex'
import { prefixed, eventTopics } from '@choreo/contracts'
import type { Outbox } from '@choreo/messaging'
import { benchCause, orderEvent } from './order-events.ts'
import { ensureConnectClasspath, startConnect } from './kafka-connect.ts'
import { SLOT_PREFIX, withLogicalWal, type WalSwitch } from './logical-wal.ts'
import { progress } from './log.ts'
import { RESULTS_DIR } from './results.ts'
import { runName, type BenchDatabase, type BenchStack } from './stack.ts'
import { messagesOn, untilMessagesOn, type BenchAdmin } from './topic-offsets.ts'

const READY_TIMEOUT_MS = 180_000
const SENTINEL_WAIT_MS = 3_000
const SETTLE_MS = 2_000
const DRAIN_TIMEOUT_MS = 30 * 60_000
const POLL_MS = 100

export interface DebeziumFigures {
  events: number
  seconds: number
  eventsPerSecond: number
  /** How long the bulk insert took; Debezium streams while it runs. */
  insertSeconds: number
  /** Events still to arrive when the insert finished. */
  behindAtInsertEnd: number
  /** How fast Debezium streamed that backlog: its own pace, no longer held back by the insert. */
  backlogEventsPerSecond: number
  /** Mean message value: the payload's JSON text. */
  meanValueBytes: number
  wal: WalSwitch
  connectLog: string
}

/**
 * Debezium's outbox event router streaming our outbox: Kafka Connect standalone is started and
 * streaming (a sentinel row arrived), then the `staged` rows (written earlier by enqueue, exactly
 * as the services write them) are inserted into the outbox in transactions of `perTransaction`,
 * and the clock runs from the first insert until every one of them is on the topics.
 */
export async function timeDebezium(deps: {
  stack: BenchStack
  admin: BenchAdmin
  database: BenchDatabase
  outbox: Outbox
  prefix: string
  perTransaction: number
}): Promise<DebeziumFigures> {
  const { stack, admin, database, outbox, prefix, perTransaction } = deps
  ensureConnectClasspath()
  const topics = [prefixed(prefix, eventTopics.order), prefixed(prefix, eventTopics.stock)]
  const { maxId, events, meanValueBytes } = (await database.db.raw<{ rows: { max_id: string; events: string; mean: string }[] }>(
    'SELECT max(id) AS max_id, count(*) AS events, avg(octet_length(payload::text)) AS mean FROM outbox_staged',
  )).rows.map((r) => ({ maxId: Number(r.max_id), events: Number(r.events), meanValueBytes: Math.round(Number(r.mean)) }))[0] ?? { maxId: 0, events: 0, meanValueBytes: 0 }
  await database.db.destroy() // its connections would not survive the restarts

  const url = new URL(database.url)
  const { result, wal } = await withLogicalWal(stack, async () => {
    const db = knex({ client: 'pg', connection: database.url, pool: { min: 0, max: 2 } })
    if (!stack.sasl) throw new Error('KAFKA_SASL_USERNAME/PASSWORD are not set: run the bench through ./choreo, whose Kafka asks for them')
    const connect = await startConnect({
      brokers: stack.brokers,
      sasl: stack.sasl,
      database: { host: url.hostname, port: Number(url.port || 5432), user: decodeURIComponent(url.username) || 'postgres', password: decodeURIComponent(url.password) || 'unused', name: database.name },
      slot: `${SLOT_PREFIX}${runName('dbz', '_').slice('bench_'.length)}`,
      workDir: path.join(RESULTS_DIR, 'connect', database.name),
    })
    try {
      progress(`Kafka Connect starting (log: ${connect.logFile})`)
      const deadline = Date.now() + READY_TIMEOUT_MS
      // Rows committed before the replication slot exists are never streamed: repeat until one arrives.
      for (;;) {
        await db.transaction((trx) => outbox.enqueue(trx, orderEvent('sentinel', 0), benchCause()))
        try {
          await untilMessagesOn(admin, topics, 1, { timeoutMs: SENTINEL_WAIT_MS, intervalMs: POLL_MS })
          break
        } catch (err) {
          if (Date.now() > deadline) throw new Error(`Debezium streamed nothing within ${READY_TIMEOUT_MS / 1000} s; see ${connect.logFile}`, { cause: err })
        }
      }
      await new Promise((r) => setTimeout(r, SETTLE_MS))
      const baseline = await messagesOn(admin, topics)
      progress(`Debezium is streaming; inserting ${events} rows in transactions of ${perTransaction}`)

      const started = Date.now()
      for (let from = 1; from <= maxId; from += perTransaction) {
        await db.raw('INSERT INTO outbox SELECT * FROM outbox_staged WHERE id >= ? AND id < ? ORDER BY id', [from, from + perTransaction])
      }
      const inserted = Date.now()
      const behindAtInsertEnd = baseline + events - (await messagesOn(admin, topics))
      progress(`inserted in ${((inserted - started) / 1000).toFixed(1)} s; ${behindAtInsertEnd} events still to stream`)
      const done = await untilMessagesOn(admin, topics, baseline + events, { timeoutMs: DRAIN_TIMEOUT_MS, intervalMs: POLL_MS })
      const seconds = (done - started) / 1000
      return {
        events, seconds, eventsPerSecond: Math.round(events / seconds),
        backlogEventsPerSecond: Math.round(behindAtInsertEnd / ((done - inserted) / 1000)),
        insertSeconds: (inserted - started) / 1000, behindAtInsertEnd, meanValueBytes, connectLog: connect.logFile,
      }
    } finally {
      await connect.stop()
      await db.destroy()
    }
  })
  return { ...result, wal }
}
