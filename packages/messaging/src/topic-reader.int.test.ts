import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventTopics, prefixed } from '@choreo/contracts'
import { createTestTopics, testKafka } from '@choreo/testkit'
import { createProducer } from './kafka.ts'
import { createOffsetsAdmin, type OffsetsAdmin } from './offsets.ts'
import { partitionOfKey, readSpans, spansOfKeys, type RawMessage } from './topic-reader.ts'

const KEYS = Array.from({ length: 40 }, (_, i) => `order-${i}`)

async function readAll(spans: Parameters<typeof readSpans>[1], keys?: string[]): Promise<RawMessage[]> {
  const out: RawMessage[] = []
  for await (const m of readSpans(testKafka(), spans, keys ? { keys } : {})) out.push(m)
  return out
}

describe('reading the messages of some keys', () => {
  let topic: string
  let admin: OffsetsAdmin
  let between = 0

  beforeAll(async () => {
    topic = prefixed(await createTestTopics('topic-reader'), eventTopics.order)
    admin = createOffsetsAdmin(testKafka())
    // With the services' producer and partitioner: every key twice, the second time after `between`.
    const producer = createProducer(testKafka())
    await producer.connect()
    await producer.send({ topic, acks: -1, messages: KEYS.map((key) => ({ key, value: Buffer.from('first') })) })
    await new Promise((r) => setTimeout(r, 50))
    between = Date.now()
    await new Promise((r) => setTimeout(r, 50))
    await producer.send({ topic, acks: -1, messages: KEYS.map((key) => ({ key, value: Buffer.from('second') })) })
    await producer.disconnect()
  })
  afterAll(async () => { await admin?.close() })

  it('finds each key on the partition the producers gave it, and reads only that partition', async () => {
    const partitions = (await admin.ranges(topic)).length
    expect(partitions).toBeGreaterThan(1)
    for (const key of ['order-3', 'order-17']) {
      const spans = await spansOfKeys(admin, [topic], [key], null)
      expect(spans.map((s) => s.partition)).toEqual([partitionOfKey(key, partitions)])
      const read = await readAll(spans, [key])
      expect(read.map((m) => [m.key?.toString(), m.value?.toString(), m.partition])).toEqual([
        [key, 'first', spans[0]!.partition], [key, 'second', spans[0]!.partition],
      ])
    }
  })

  it('starts at a time: only what was sent at or after it', async () => {
    const read = await readAll(await spansOfKeys(admin, [topic], KEYS, between), KEYS)
    expect(read).toHaveLength(KEYS.length)
    expect(new Set(read.map((m) => m.value?.toString()))).toEqual(new Set(['second']))
  })

  it('leaves out the other keys of the partitions it reads', async () => {
    const spans = await spansOfKeys(admin, [topic], ['order-5'], null)
    const unfiltered = await readAll(spans)
    const filtered = await readAll(spans, ['order-5'])
    expect(unfiltered.length).toBeGreaterThan(filtered.length)
    expect(filtered.every((m) => m.key?.toString() === 'order-5')).toBe(true)
  })
})
