// Forged events for hostile-event tests: sent through the broker as the topic's owning service, so only the consumer's own checks can refuse them.
import { eventTopics, prefixed, type EventTopic, type EventType } from '@choreo/contracts'
import { createEventCodec } from '@choreo/messaging'
import { infra } from './infra.ts'
import { producerAs } from './kafka.ts'

export interface ForgedMessage {
  key: string
  value: Buffer
}

/** Confluent wire format: magic byte 0, then a schema id the registry never issued. */
export const UNKNOWN_SCHEMA_MESSAGE: ForgedMessage = { key: 'unknown-schema', value: Buffer.concat([Buffer.from([0, 0x7f, 0xff, 0xff, 0xf0]), Buffer.from('payload')]) }

export interface HostileSender {
  /** The event as the services read it (Avro, registry framing), keyed by its order id. */
  encoded(type: EventType, event: { orderId: string }): ForgedMessage
  /** Sends to partition 0 of the topic, in order: the last message proves the ones before it were passed. */
  send(topic: EventTopic, ...messages: ForgedMessage[]): Promise<void>
  /** Sends partitioned by key, as the owning service's relay would. */
  sendKeyed(topic: EventTopic, ...messages: ForgedMessage[]): Promise<void>
  close(): Promise<void>
}

/** The service whose principal may write a topic: `stock.events` → `stock-service`. */
function ownerOf(topic: EventTopic): string {
  const aggregate = Object.entries(eventTopics).find(([, t]) => t === topic)?.[0]
  return `${aggregate}-service`
}

/**
 * A sender of forged events of `types` on the `topics` under `prefix`, each topic written with
 * its owner's credentials (a compromised or buggy service): the broker lets them through.
 */
export async function hostileSender(prefix: string, types: EventType[], topics: EventTopic[]): Promise<HostileSender> {
  const codec = createEventCodec({ registryUrl: infra().registryUrl })
  await codec.register(types)
  const producers = new Map<EventTopic, Awaited<ReturnType<typeof producerAs>>>()
  try {
    for (const topic of topics) producers.set(topic, await producerAs(ownerOf(topic), prefix))
  } catch (err) {
    await Promise.all([...producers.values()].map((p) => p.disconnect()))
    throw err
  }
  async function write(topic: EventTopic, messages: { key: string; value: Buffer; partition?: number }[]): Promise<void> {
    const producer = producers.get(topic)
    if (!producer) throw new Error(`this sender writes ${[...producers.keys()].join(', ')}, not ${topic}`)
    await producer.send({ topic: prefixed(prefix, topic), acks: -1, messages })
  }
  return {
    encoded: (type, event) => ({ key: event.orderId, value: codec.encode(type, event) }),
    send: (topic, ...messages) => write(topic, messages.map((m) => ({ ...m, partition: 0 }))),
    sendKeyed: (topic, ...messages) => write(topic, messages),
    async close() {
      await Promise.all([...producers.values()].map((p) => p.disconnect()))
    },
  }
}
