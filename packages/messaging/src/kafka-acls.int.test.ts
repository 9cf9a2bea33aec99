import type { Knex } from 'knex'
import { execFile } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { promisify } from 'node:util'
import { Kafka, logLevel } from 'kafkajs'
import { beforeAll, describe, expect, it } from 'vitest'
import { declaredTopics, kafkaGrants, prefixed, type Events } from '@choreo/contracts'
import { createTestTopics, eventually, infra, readTopic, testKafka } from '@choreo/testkit'
import { grantAcls } from './admin.ts'
import { defineSaga, step } from './saga.ts'
import { createFixture } from './testing/fixture.ts'

const run = promisify(execFile)
const secured = infra().sasl !== undefined
const reason = secured ? '' : ' (skipped: this Kafka requires no authentication; the native stack does)'

/**
 * The native stack's Kafka authenticates every client and authorizes it by the services' grants
 * (contracts' kafkaGrants, applied by tools/setup/kafka-acls.ts). Here the same grants are made for
 * topics of this test's own, so that nothing it writes reaches the stack's real topics.
 */
describe.runIf(secured)(`Kafka authentication and ACLs${reason}`, () => {
  let prefix: string
  const stockEvents = () => prefixed(prefix, 'stock.events')

  beforeAll(async () => {
    prefix = await createTestTopics('acls')
    await grantAcls(testKafka(), kafkaGrants(prefix))
  })

  /** The broker's error codes along an error's chain of causes (kafkajs wraps them in errors of its own). */
  async function refusal(attempt: Promise<unknown>): Promise<string[]> {
    const err = await attempt.then(() => null, (e: unknown) => e)
    const types: string[] = []
    for (let e = err as { type?: string; cause?: unknown; originalError?: unknown } | null | undefined; e; e = (e.cause ?? e.originalError) as typeof e) {
      if (e.type) types.push(e.type)
    }
    return types
  }

  async function produceAs(principal: string, topic: string, key: string): Promise<void> {
    const producer = testKafka({ principal, clientId: `acl-${principal}` }).producer({ retry: { retries: 0 } })
    await producer.connect()
    try {
      await producer.send({ topic, acks: -1, messages: [{ key, value: 'forged' }] })
    } finally {
      await producer.disconnect()
    }
  }

  it('refuses a message forged by a principal that may not write the topic, and lets its owner write', async () => {
    const forged = randomUUID()
    expect(await refusal(produceAs('payment-service', stockEvents(), forged))).toContain('TOPIC_AUTHORIZATION_FAILED')
    expect(await refusal(produceAs('order-service', stockEvents(), forged))).toContain('TOPIC_AUTHORIZATION_FAILED')
    const own = randomUUID()
    await produceAs('stock-service', stockEvents(), own)
    const keys = (await readTopic(stockEvents())).map((m) => m.key)
    expect(keys).toContain(own)
    expect(keys).not.toContain(forged)
  })

  it('lets a service write its own dead letters and no one else’s', async () => {
    await produceAs('payment-service', prefixed(prefix, 'payment-service.dlt'), randomUUID())
    expect(await refusal(produceAs('payment-service', prefixed(prefix, 'stock-service.dlt'), randomUUID()))).toContain('TOPIC_AUTHORIZATION_FAILED')
  })

  it('refuses a read of a topic the saga does not consume, and a consumer group not the service’s own', async () => {
    // payment-service consumes stock.events and order.events (its facts), as payment-service; another's dead letters are not its own.
    const wrongTopic = testKafka({ principal: 'payment-service' }).consumer({ groupId: prefixed(prefix, 'payment-service') })
    await wrongTopic.connect()
    try {
      expect(await refusal(wrongTopic.subscribe({ topics: [prefixed(prefix, 'order-service.dlt')] }))).toContain('TOPIC_AUTHORIZATION_FAILED')
    } finally {
      await wrongTopic.disconnect()
    }
    const admin = testKafka({ principal: 'payment-service' }).admin()
    await admin.connect()
    try {
      // The broker answers FindCoordinator with GROUP_AUTHORIZATION_FAILED; kafkajs reports it as no coordinator found, code dropped.
      await expect(admin.fetchOffsets({ groupId: prefixed(prefix, 'stock-service'), topics: [stockEvents()] })).rejects.toMatchObject({ name: 'KafkaJSGroupCoordinatorNotFound' })
      await expect(admin.fetchOffsets({ groupId: prefixed(prefix, 'payment-service'), topics: [stockEvents()] })).resolves.toHaveLength(1)
    } finally {
      await admin.disconnect()
    }
  })

  it('refuses a client without credentials, and one with a wrong password', async () => {
    const anonymous = new Kafka({ clientId: 'anonymous', brokers: infra().brokers, logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 3000, requestTimeout: 3000 })
    const a = anonymous.admin()
    await expect(a.connect().then(() => a.listTopics())).rejects.toThrow()
    await a.disconnect()
    const wrong = new Kafka({
      clientId: 'wrong-password', brokers: infra().brokers, logLevel: logLevel.NOTHING, retry: { retries: 0 },
      sasl: { mechanism: 'scram-sha-512', username: 'stock-service', password: 'not-the-password' },
    })
    const w = wrong.producer()
    await expect(w.connect()).rejects.toMatchObject({ name: 'KafkaJSSASLAuthenticationError' })
    await w.disconnect()
  })

  it('lets each service do its whole job under its own grant: publish idempotently, consume as its group, dead-letter', async () => {
    const f = await createFixture('acl-job', ['stock-service'])
    try {
      await grantAcls(testKafka(), kafkaGrants(f.prefix))
      // order-service's relay publishes order.events; stock-service consumes it in its own group.
      const relay = f.relay({}, { kafka: testKafka({ principal: 'order-service', clientId: 'acl-job-order' }) })
      relay.start()
      const reacting = defineSaga('order', {
        OrderDelivered: step(async function reacting(event: Events['OrderDelivered'], trx: Knex.Transaction) {
          if (event.deliveredAt < 0) throw new Error('negative sequence')
          await trx('effects').insert({ event_id: event.eventId, order_id: event.orderId, seq: event.deliveredAt })
          return []
        }, { does: 'the test' }),
      })
      const group = prefixed(f.prefix, 'stock-service')
      const consumer = f.consumer(group, reacting, undefined, { deadLetterTopic: prefixed(f.prefix, 'stock-service.dlt') }, { kafka: testKafka({ principal: 'stock-service', clientId: 'acl-job-stock' }) })
      await consumer.start()
      const orderId = randomUUID()
      await f.write(orderId, -1) // the handler throws: dead-lettered by stock-service's producer
      const good = await f.write(orderId, 1)
      await eventually(async () => expect(await f.db('effects').where({ event_id: good })).toHaveLength(1), { timeoutMs: 30_000 })
      await consumer.stop()
      await relay.stop()
      expect(await f.consumed(group, 'dead_lettered')).toBe(1)
      expect((await readTopic(prefixed(f.prefix, 'stock-service.dlt'))).map((m) => m.key)).toEqual([orderId])
    } finally {
      await f.close()
    }
  })

  it('lets kcat, with the operator’s config file (kcat -F), read every topic', async () => {
    const config = process.env.KCAT_CONFIG ?? ''
    expect(config, 'KCAT_CONFIG: ./choreo exports the operator’s kcat config').not.toBe('')
    const { stdout } = await run('kcat', ['-F', config, '-L', '-J'], { timeout: 20_000 })
    const listed = new Set((JSON.parse(stdout) as { topics: { topic: string }[] }).topics.map((t) => t.topic))
    const ours = declaredTopics(prefix).map((t) => t.topic)
    for (const topic of ours) expect(listed).toContain(topic)
    const key = randomUUID()
    await produceAs('stock-service', stockEvents(), key)
    for (const topic of ours) {
      const { stdout: read } = await run('kcat', ['-F', config, '-C', '-t', topic, '-e', '-q', '-f', '%k\n'], { timeout: 20_000 })
      if (topic === stockEvents()) expect(read.split('\n')).toContain(key)
    }
  })
})
