import type { Kafka } from 'kafkajs'
import type { TopicSpec } from '@choreo/contracts'

/** Creates the topics that do not exist yet; an existing topic is left as it is. */
export async function ensureTopics(kafka: Kafka, topics: TopicSpec[]): Promise<string[]> {
  const admin = kafka.admin()
  await admin.connect()
  try {
    const existing = new Set(await admin.listTopics())
    const missing = topics.filter((t) => !existing.has(t.topic))
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((t) => ({ topic: t.topic, numPartitions: t.partitions })),
      })
    }
    return missing.map((t) => t.topic)
  } finally {
    await admin.disconnect()
  }
}
