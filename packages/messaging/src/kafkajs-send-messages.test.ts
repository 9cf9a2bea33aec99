import { createRequire } from 'node:module'
import type { Message, RecordMetadata, TopicMessages } from 'kafkajs'
import { describe, expect, it } from 'vitest'
import { assertAcknowledged, sentPartitions } from './acknowledged.ts'
import { pinnedPartitioner } from './pinned-partitioner.ts'

// kafkajs's own producer internals (patches/kafkajs@2.2.4.patch), driven with a fake cluster:
// only what sendMessages calls, no socket.
const require = createRequire(import.meta.url)

interface ProduceRequest { topicData: { topic: string; partitions: { partition: number; messages: Message[] }[] }[] }
interface FakeBroker { nodeId: number; produce(request: ProduceRequest): Promise<unknown> }
type SendMessages = (deps: Record<string, unknown>) => (batch: { acks: number; topicMessages: TopicMessages[] }) => Promise<RecordMetadata[]>

const createSendMessages = require('kafkajs/src/producer/sendMessages.js') as SendMessages
const createRetry = require('kafkajs/src/retry/index.js') as (options: object) => unknown
const { createErrorFromCode } = require('kafkajs/src/protocol/error.js') as { createErrorFromCode(code: number): Error }
const NOT_LEADER_FOR_PARTITION = 6

const quiet = { debug() {}, info() {}, warn() {}, error() {} }
const eosManager = {
  async acquireBrokerLock() {}, async releaseBrokerLock() {}, isTransactional: () => false,
  getSequence: () => 0, updateSequence() {}, getProducerId: () => -1, getProducerEpoch: () => 0,
}

describe("kafkajs's sendMessages (patched)", () => {
  it('sends a partition again when its new leader already answered for another partition', async () => {
    const topic = 'orders.events'
    const leaders = new Map([[0, 1], [1, 2]]) // partition → broker: p0 on A (1), p1 on B (2)
    const produced: { nodeId: number; partition: number; messages: number }[] = []
    let bAnswered = false
    const broker = (nodeId: number): FakeBroker => ({
      nodeId,
      async produce({ topicData }) {
        if (nodeId === 2 && !bAnswered) {
          bAnswered = true
          throw createErrorFromCode(NOT_LEADER_FOR_PARTITION)
        }
        for (const t of topicData) for (const p of t.partitions) produced.push({ nodeId, partition: p.partition, messages: p.messages.length })
        return { topics: topicData.map((t) => ({ topicName: t.topic, partitions: t.partitions.map((p) => ({ partition: p.partition, errorCode: 0, baseOffset: '0' })) })) }
      },
    })
    const brokers = new Map([[1, broker(1)], [2, broker(2)]])
    const cluster = {
      targetTopics: new Set([topic]),
      async addMultipleTargetTopics() {},
      async refreshMetadataIfNecessary() {},
      async refreshMetadata() { leaders.set(1, 1) }, // B answered NOT_LEADER: p1 has moved to A
      isConnected: () => true,
      findTopicPartitionMetadata: () => [...leaders].map(([partitionId, leader]) => ({ partitionId, leader })),
      findLeaderForPartitions: (_: string, partitions: string[]) => {
        const perLeader: Record<number, number[]> = {}
        for (const p of partitions.map(Number)) (perLeader[leaders.get(p)!] ??= []).push(p)
        return perLeader
      },
      findBroker: async ({ nodeId }: { nodeId: string }) => brokers.get(Number(nodeId)),
    }
    const sendMessages = createSendMessages({
      logger: quiet, cluster, eosManager, partitioner: pinnedPartitioner(),
      retrier: createRetry({ retries: 3, initialRetryTime: 1, maxRetryTime: 5 }),
    })
    const topicMessages = [{ topic, messages: [0, 1, 0, 1].map((partition, i) => ({ partition, value: `m${i}` })) }]

    const responses = await sendMessages({ acks: -1, topicMessages })

    expect(produced).toContainEqual({ nodeId: 1, partition: 1, messages: 2 })
    expect(produced.filter((p) => p.partition === 0)).toEqual([{ nodeId: 1, partition: 0, messages: 2 }])
    expect(() => assertAcknowledged(sentPartitions(topicMessages), responses)).not.toThrow()
  })
})
