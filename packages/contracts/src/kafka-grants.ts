// What each service may do on Kafka (topics it writes and reads, its groups): the native stack and chaos runs grant exactly this.
import { deadLetterTopic, eventTopics, prefixed, type EventTopic } from './topics.ts'

/**
 * What each service may do on Kafka, and nothing more: write its own events topic and its
 * dead letters, read the topics its saga consumes, as its own consumer group. The native stack
 * grants exactly this (tools/setup/kafka-acls.ts), and so does a chaos run for its own topic prefix;
 * tools/lib/kafka-grants.test.ts checks each grant against its service's saga tables, so a step that starts
 * consuming a new topic cannot miss its grant.
 */
export interface KafkaGrant {
  principal: string
  writes: string[]
  reads: string[]
  /** Its consumer group, and its facts group when it has one (`factsGroupOf`). */
  groups: string[]
}

/**
 * A service that checks events against facts from other topics records those facts in a consumer
 * group of their own, beside its saga's: one group waiting for the other must never stall it.
 */
export function factsGroupOf(group: string): string {
  return `${group}.facts`
}

const consumes: Record<'order' | 'stock' | 'payment', EventTopic[]> = {
  order: [eventTopics.stock, eventTopics.payment],
  stock: [eventTopics.order, eventTopics.payment],
  // stock.events by its saga, order.events by its facts consumer (the orders it may charge).
  payment: [eventTopics.stock, eventTopics.order],
}

/** Who reads facts from other topics in a group of its own. */
const readsFacts: ReadonlySet<keyof typeof consumes> = new Set(['payment'])

/** Every service's grant, for topics and groups named with `prefix` (contracts' `prefixed`). */
export function kafkaGrants(prefix = ''): KafkaGrant[] {
  return (Object.keys(consumes) as (keyof typeof consumes)[]).map((service) => {
    const principal = `${service}-service`
    return {
      principal,
      writes: [eventTopics[service], deadLetterTopic(principal)].map((t) => prefixed(prefix, t)),
      reads: consumes[service].map((t) => prefixed(prefix, t)),
      groups: [prefixed(prefix, principal), ...(readsFacts.has(service) ? [prefixed(prefix, factsGroupOf(principal))] : [])],
    }
  })
}
