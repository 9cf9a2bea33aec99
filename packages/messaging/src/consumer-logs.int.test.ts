import type { Events } from '@choreo/contracts'
import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Kafka, logLevel } from 'kafkajs'
import { eventually, infra, kafkaAuth } from '@choreo/testkit'
import { createSagaConsumer } from './consumer.ts'
import { defineSaga, step } from './saga.ts'
import { postgresDialect } from './dialects/postgres.ts'
import { createProducer } from './kafka.ts'
import type { Logger } from './logger.ts'
import { defaultConsumerOptions } from './messaging.ts'
import { cause, createFixture, type Fixture } from './testing/fixture.ts'

interface Line { level: string; msg: string | undefined; fields: Record<string, unknown> }

/** A logger that keeps every line with the bindings of the child loggers it came through. */
function capturingLogger(lines: Line[], bindings: Record<string, unknown> = {}): Logger {
  const log = (level: string) => (obj: object, msg?: string) => { lines.push({ level, msg, fields: { ...bindings, ...obj } }) }
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error'), child: (more) => capturingLogger(lines, { ...bindings, ...more }) }
}

const failing = defineSaga('order', {
  OrderDelivered: step(function failing(event: Events['OrderDelivered']) {
    if (event.deliveredAt < 0) throw new Error('cannot deliver before the epoch')
    return []
  }, { does: 'the test' }),
})

describe('consumer logs', () => {
  let f: Fixture
  const lines: Line[] = []
  beforeAll(async () => { f = await createFixture('consumer-logs', ['c-logs']) })
  afterAll(async () => { await f.close() })

  it("carry the order id, event id, correlation id and the trace id of the request's traceparent on every line about a message", async () => {
    const kafka = new Kafka({ clientId: 'consumer-logs', brokers: infra().brokers, ...kafkaAuth(), logLevel: logLevel.NOTHING })
    const producer = createProducer(kafka)
    await producer.connect()
    const consumer = createSagaConsumer({
      kafka, db: f.db, dialect: postgresDialect, codec: f.codec, outbox: f.outbox, producer, saga: failing, logger: capturingLogger(lines), onCommitted: () => {},
      options: { group: 'c-logs', alertAfterContentionAttempts: 2, backoff: { initialMs: 10, maxMs: 50 }, partitionsConsumedConcurrently: 1, eventsPerTransaction: defaultConsumerOptions.eventsPerTransaction, batchLockWaitMs: defaultConsumerOptions.batchLockWaitMs, offsetCommitIntervalMs: defaultConsumerOptions.offsetCommitIntervalMs, topicPrefix: f.prefix, deadLetterTopic: `${f.prefix}c-logs.dlt`, inboxPurge: defaultConsumerOptions.inboxPurge },
    })
    const relay = f.relay()
    relay.start()
    const orderId = randomUUID()
    const good = await f.write(orderId, 1)
    const bad = await f.write(orderId, -1)
    relay.wake()
    await consumer.start()
    await eventually(() => expect(lines.filter((l) => l.fields.orderId === orderId).map((l) => l.msg)).toEqual(['handled', 'message dead-lettered']), { timeoutMs: 30_000 })
    await consumer.stop()
    await relay.stop()
    await producer.disconnect()

    const traceId = cause.traceparent.split('-')[1]
    const [handled, dead] = lines.filter((l) => l.fields.orderId === orderId)
    expect(handled).toMatchObject({ level: 'debug', fields: { group: 'c-logs', orderId, eventId: good, correlationId: cause.correlationId, traceId, outcome: 'handled', topic: f.topic } })
    expect(dead).toMatchObject({ level: 'error', fields: { group: 'c-logs', orderId, eventId: bad, correlationId: cause.correlationId, traceId, reason: 'handler failed' } })
  })
})
