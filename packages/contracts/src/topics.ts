// The Kafka topics, declared in one place: each service's events topic and dead letters, their partitions, and the prefix tests use.
import type { EventType } from './events.generated.ts'
import { eventSchemas } from './events.generated.ts'

// The one place topics are declared. `./choreo up` and the tests create them from here.
// Six partitions per topic: enough for the three consumers of each to spread across both
// cores, few enough that a single broker restarts fast.
export const EVENT_TOPIC_PARTITIONS = 6

export const eventTopics = {
  order: 'order.events',
  stock: 'stock.events',
  payment: 'payment.events',
} as const

export type EventTopic = (typeof eventTopics)[keyof typeof eventTopics]

/** The topic an event type is published on: its producing service's `<aggregate>.events`. */
export function topicOf(type: EventType): EventTopic {
  return eventTopics[eventSchemas[type].service]
}

/** A service's dead-letter topic: what its consumer could not handle, with the reason. */
export function deadLetterTopic(service: string): string {
  return `${service}.dlt`
}

export const consumerGroups = ['order-service', 'stock-service', 'payment-service'] as const

/**
 * Every topic name can carry a prefix, so that test files (or two stacks on one broker) get
 * topics of their own. Subjects in the registry ignore it: schemas are the same everywhere.
 */
export function prefixed(prefix: string, topic: string): string {
  return `${prefix}${topic}`
}

export interface TopicSpec {
  topic: string
  partitions: number
}

/** Every topic the system needs, with its partition count. */
export function declaredTopics(prefix = '', groups: readonly string[] = consumerGroups): TopicSpec[] {
  return [
    ...Object.values(eventTopics).map((topic) => ({ topic: prefixed(prefix, topic), partitions: EVENT_TOPIC_PARTITIONS })),
    ...groups.map((group) => ({ topic: prefixed(prefix, deadLetterTopic(group)), partitions: 1 })),
  ]
}

/** The event types a service publishes: those under its folder in schemas/. */
export function eventsOf(service: 'order' | 'stock' | 'payment'): EventType[] {
  return (Object.keys(eventSchemas) as EventType[]).filter((t) => eventSchemas[t].service === service)
}
