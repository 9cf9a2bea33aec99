// Tells a publish that can never succeed (a refused record, a missing topic, an unencodable row) from an outage the relay waits out.
import { InvalidEvent, RegistryError } from './errors.ts'

/**
 * Refusals about the record itself: sending it again, to any broker, is refused again. Not the
 * authorization or quota errors: those are about the client, hit every row alike, and end when an
 * operator fixes the configuration, so they are waited out like an outage.
 */
const REFUSED_RECORD = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE', 'INVALID_RECORD', 'INVALID_TOPIC_EXCEPTION', 'CORRUPT_MESSAGE'])

/** kafkajs answers a send to a topic that no broker hosts with this (retriable: it may be a topic being created). */
const UNKNOWN_TOPIC = 'UNKNOWN_TOPIC_OR_PARTITION'

/**
 * Why a publish can never succeed, or null when it may once an outage ends. A topic is called
 * missing only when the cluster, asked again, does not list it: a partition moving between brokers
 * answers with the same error for a moment.
 */
export async function permanentFailure(err: unknown, topics: readonly string[], topicExists?: (topic: string) => Promise<boolean>): Promise<string | null> {
  for (const e of causes(err)) {
    // Only a row written before encode-at-enqueue is encoded by the relay (see migrations.ts, outboxEncoded).
    if (e instanceof InvalidEvent || (e instanceof RegistryError && !e.retriable)) return `cannot be encoded: ${e.message}`
    const type = (e as { type?: unknown }).type
    if (typeof type !== 'string') continue
    if (REFUSED_RECORD.has(type)) return `the broker refused it: ${type}: ${(e as Error).message}`
    if (type === UNKNOWN_TOPIC && topicExists) {
      for (const topic of topics) {
        const exists = await topicExists(topic).catch(() => true)
        if (!exists) return `topic ${topic} does not exist`
      }
    }
  }
  return null
}

/** The error and its causes, outermost first (kafkajs wraps the broker's answer in retry errors). */
function causes(err: unknown): unknown[] {
  const chain: unknown[] = []
  for (let e = err; e && chain.length < 10; e = (e as { cause?: unknown }).cause) chain.push(e)
  return chain
}
