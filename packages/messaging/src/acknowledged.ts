// A send counts as published only once every partition sent to acknowledged its write: kafkajs can resolve a batch some never did.
import type { Producer, RecordMetadata, TopicMessages } from 'kafkajs'
import { MessagingError } from './errors.ts'
import { partitionOf } from './pinned-partitioner.ts'

export interface TopicPartition {
  topic: string
  partition: number
}

/**
 * sendBatch resolved, yet some partition it sent to has no successful answer from the broker
 * (kafkajs 2.2.4 can do this when a leader moves during a retry): its messages may not be
 * written, so nothing of the batch may count as published. Sending it again is safe: the
 * consumers' inbox drops the copies.
 */
export class UnacknowledgedSend extends MessagingError {
  readonly missing: TopicPartition[]
  constructor(missing: TopicPartition[]) {
    super(`the broker acknowledged no write to ${missing.map((m) => `${m.topic}[${m.partition}]`).join(', ')}`, { retriable: true })
    this.missing = missing
  }
}

/**
 * Throws UnacknowledgedSend unless every (topic, partition) sent to has an answer with no error.
 * Checked per partition, not per message: a produce answer for a partition covers every message
 * of the request for it, and the answer carries no message count.
 */
export function assertAcknowledged(sent: ReadonlyMap<string, ReadonlySet<number>>, responses: readonly RecordMetadata[]): void {
  const acknowledged = new Set(responses.filter((r) => r.errorCode === 0).map((r) => `${r.topicName}\0${r.partition}`))
  const missing: TopicPartition[] = []
  for (const [topic, partitions] of sent) {
    for (const partition of partitions) {
      if (!acknowledged.has(`${topic}\0${partition}`)) missing.push({ topic, partition })
    }
  }
  if (missing.length > 0) throw new UnacknowledgedSend(missing)
}

/** Topic → partitions the messages went to, read after the send (see pinnedPartitioner). */
// Read from kafkajs's own partitioner rather than recomputed: no second murmur2, no metadata of ours to disagree with kafkajs's.
export function sentPartitions(topicMessages: readonly TopicMessages[]): Map<string, Set<number>> {
  const sent = new Map<string, Set<number>>()
  for (const { topic, messages } of topicMessages) {
    const partitions = sent.get(topic) ?? new Set<number>()
    for (const message of messages) {
      const partition = partitionOf(message)
      if (partition === undefined) throw new MessagingError(`cannot tell which partition of ${topic} a message went to: send through a producer made by createProducer`)
      partitions.add(partition)
    }
    sent.set(topic, partitions)
  }
  return sent
}

/** Sends with acks from every in-sync replica and resolves only if every partition sent to acknowledged its write. */
export async function sendAcknowledged(producer: Producer, topicMessages: TopicMessages[]): Promise<void> {
  const responses = await producer.sendBatch({ acks: -1, topicMessages })
  assertAcknowledged(sentPartitions(topicMessages), responses)
}
