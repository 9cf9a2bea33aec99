// The pickup benchmark's writers in a process of their own, as another instance of the service: after
// each commit they notify the relay through the database, as a standby's relay does. Reports each commit's time to the parent over IPC.
import knex from 'knex'
import { createEventCodec, createOutbox, crossProcessWaker, postgresDialect, silentLogger } from '@choreo/messaging'
import { randomUUID } from 'node:crypto'
import { benchCause, orderEvent } from './order-events.ts'
import { nowMs, openLoop } from './open-loop.ts'

export interface WriterMessage {
  commits: [eventId: string, committedAt: number][]
  done?: { started: number; failed: number }
}

const REPORT_EVERY_MS = 100
const env = process.env
const db = knex({ client: 'pg', connection: env.BENCH_DATABASE_URL, pool: { min: 0, max: Number(env.BENCH_POOL_MAX) } })
const codec = createEventCodec({ registryUrl: env.SCHEMA_REGISTRY_URL ?? '' })
const outbox = createOutbox({ codec, dialect: postgresDialect, topicPrefix: env.BENCH_TOPIC_PREFIX ?? '' })
// The relay's lease name (pickup.ts's service): what messaging.transaction wakes on a standby instance.
const wakeRelay = crossProcessWaker(db, postgresDialect, 'bench-pickup', silentLogger)
let commits: WriterMessage['commits'] = []
const send = (message: WriterMessage): void => { process.send?.(message) }
const reporter = setInterval(() => { send({ commits }); commits = [] }, REPORT_EVERY_MS)

const outcome = await openLoop({
  rate: Number(env.BENCH_RATE), seconds: Number(env.BENCH_SECONDS),
  operation: async () => {
    const [event] = await db.transaction((trx) => outbox.enqueue(trx, orderEvent(randomUUID(), 0), benchCause()))
    wakeRelay.wake()
    if (event) commits.push([event.eventId, nowMs()])
  },
})
clearInterval(reporter)
send({ commits, done: outcome })
await wakeRelay.close()
await db.destroy()
process.disconnect?.()
