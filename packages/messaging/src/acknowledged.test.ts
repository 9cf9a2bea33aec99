import type { Kafka, Message, PartitionMetadata, Producer, ProducerBatch, RecordMetadata } from 'kafkajs'
import { describe, expect, it } from 'vitest'
import { assertAcknowledged, sentPartitions, UnacknowledgedSend } from './acknowledged.ts'
import { partitionOf, pinnedPartitioner } from './pinned-partitioner.ts'
import { republish } from './republish.ts'

const ok = (topicName: string, partition: number): RecordMetadata => ({ topicName, partition, errorCode: 0, baseOffset: '0' })
const partitions = (count: number): PartitionMetadata[] =>
  Array.from({ length: count }, (_, partitionId) => ({ partitionId, leader: 1, partitionErrorCode: 0, replicas: [1], isr: [1] }))

/** A Kafka whose producer resolves every sendBatch with the given answers, as kafkajs 2.2.4 did after a leader move. */
function kafkaAnswering(responses: RecordMetadata[]): Kafka {
  const producer: Pick<Producer, 'connect' | 'disconnect' | 'sendBatch'> = {
    async connect() {},
    async disconnect() {},
    async sendBatch(_: ProducerBatch) { return responses },
  }
  return { producer: () => producer } as unknown as Kafka
}

describe('acknowledged sends (no I/O)', () => {
  it('fails a republish whose send resolved without an answer for a partition it sent to', async () => {
    const messages = [0, 1].map((partition) => ({ topic: 'orders.events', partition, key: null, value: Buffer.from('v'), headers: {} }))

    const attempt = republish(kafkaAnswering([ok('orders.events', 0)]), messages)

    await expect(attempt).rejects.toBeInstanceOf(UnacknowledgedSend)
    await expect(attempt).rejects.toMatchObject({ retriable: true, missing: [{ topic: 'orders.events', partition: 1 }] })
  })

  it('counts an answer carrying an error code as no acknowledgement, and passes a complete set', () => {
    const sent = new Map([['orders.events', new Set([0, 1])], ['stock.events', new Set([2])]])
    const complete = [ok('orders.events', 0), ok('orders.events', 1), ok('stock.events', 2)]

    expect(() => assertAcknowledged(sent, complete)).not.toThrow()
    expect(() => assertAcknowledged(sent, [...complete.slice(0, 2), { ...ok('stock.events', 2), errorCode: 6 }]))
      .toThrow(expect.objectContaining({ missing: [{ topic: 'stock.events', partition: 2 }] }))
  })

  it('keeps a keyed message on its first partition when a retry sees more partitions, and reports that one', () => {
    const choose = pinnedPartitioner()
    const message: Message = { key: 'order-1', value: 'v' } // murmur2: partition 1 of 3, partition 2 of 4

    const first = choose({ topic: 'orders.events', partitionMetadata: partitions(3), message })
    const retried = choose({ topic: 'orders.events', partitionMetadata: partitions(4), message })

    expect([first, retried]).toEqual([1, 1])
    expect(sentPartitions([{ topic: 'orders.events', messages: [message] }])).toEqual(new Map([['orders.events', new Set([1])]]))
  })

  it('refuses to guess the partition of a keyed message no pinned partitioner has seen', () => {
    const message: Message = { key: 'order-1', value: 'v' }
    expect(partitionOf(message)).toBeUndefined()
    expect(() => sentPartitions([{ topic: 'orders.events', messages: [message] }])).toThrow(/createProducer/)
  })
})
