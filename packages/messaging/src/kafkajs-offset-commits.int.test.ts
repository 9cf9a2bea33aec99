import type { Consumer } from 'kafkajs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestTopics, eventually, testKafka } from '@choreo/testkit'
import { sleep } from './backoff.ts'

// kafkajs 2.2.4 ignored autoCommitInterval with eachBatch: the runner committed after every
// batch, and never on an empty fetch or on stop. patches/kafkajs@2.2.4.patch (runner.js) commits
// after a batch only when the interval has passed, on an idle consumer's empty fetch once it has,
// and what was resolved when the consumer stops. The saga consumer relies on all three.
describe('kafkajs, patched: automatic offset commits on an interval', () => {
  const kafka = testKafka()
  const admin = kafka.admin()
  let topic: string
  beforeAll(async () => {
    topic = `${await createTestTopics('offset-commits')}order.events`
    await admin.connect()
    const producer = kafka.producer()
    await producer.connect()
    await producer.send({ topic, acks: -1, messages: Array.from({ length: 20 }, (_, i) => ({ partition: 0, value: String(i) })) })
    await producer.disconnect()
  })
  afterAll(async () => { await admin.disconnect() })

  /** The group's committed offset on partition 0 (-1: none). */
  async function committed(groupId: string): Promise<number> {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] })
    return Number(offsets?.partitions.find((p) => p.partition === 0)?.offset ?? -1)
  }

  /** A consumer of the topic that resolves every message it is given; counts them. */
  async function consuming(groupId: string, autoCommitInterval: number): Promise<{ consumer: Consumer; seen: () => number }> {
    let seen = 0
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 200 })
    await consumer.connect()
    await consumer.subscribe({ topics: [topic], fromBeginning: true })
    await consumer.run({
      autoCommit: true, autoCommitInterval, eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset }) => {
        for (const m of batch.messages) { seen++; resolveOffset(m.offset) }
      },
    })
    return { consumer, seen: () => seen }
  }

  it('commits after a batch only once the interval has passed, and commits what it resolved when it stops', async () => {
    const group = `offset-commits-stop-${Date.now()}`
    const { consumer, seen } = await consuming(group, 60_000)
    await eventually(() => expect(seen()).toBe(20))
    // Several empty fetches (200 ms each) go by: none commits before the minute is up.
    await sleep(1500)
    expect(await committed(group)).toBe(-1)
    await consumer.disconnect()
    expect(await committed(group)).toBe(20)
  })

  it("commits an idle consumer's offsets on an empty fetch once the interval has passed", async () => {
    const group = `offset-commits-idle-${Date.now()}`
    const { consumer, seen } = await consuming(group, 3000)
    await eventually(() => expect(seen()).toBe(20))
    expect(await committed(group)).toBe(-1) // the batch came before the interval was up
    // No message comes again: only the empty fetches' trailing commit can move the offset.
    await eventually(async () => expect(await committed(group)).toBe(20), { timeoutMs: 10_000 })
    await consumer.disconnect()
  })
})
