// The three services as the tools know them: names (also their groups and dead-letter topics), saga pages, who publishes and consumes each event.
import { consumerGroups, eventSchemas, prefixed, type EventType } from '@choreo/contracts'
import type { Saga } from '@choreo/messaging'
import { saga as orderSaga } from '@choreo/order-service'
import { facts as paymentFacts, saga as paymentSaga } from '@choreo/payment-service'
import { saga as stockSaga, shipAtOnce } from '@choreo/stock-service'

/** A service is also the name of its consumer group and dead-letter topic (before the prefix). */
export type ServiceName = (typeof consumerGroups)[number]

export const services: readonly ServiceName[] = consumerGroups

/** Each service's page of the saga: which events it reacts to. The tools read it, never copy it. */
export const sagas: Readonly<Record<ServiceName, Saga>> = {
  'order-service': orderSaga,
  // Which events it reacts to does not depend on when it ships.
  'stock-service': stockSaga(shipAtOnce),
  'payment-service': paymentSaga,
}

/** The steps that record what other topics say, in a consumer group of their own (`<service>.facts`). */
export const factsOf: Readonly<Partial<Record<ServiceName, Saga>>> = {
  'payment-service': paymentFacts,
}

/** The service that publishes an event type: the one whose folder in schemas/ holds it. */
export function producerOf(type: EventType): ServiceName {
  return `${eventSchemas[type].service}-service`
}

/** The services whose saga reacts to an event type, in the order of `services`. */
export function consumersOf(type: EventType): ServiceName[] {
  return services.filter((s) => type in sagas[s])
}

/** The service a consumer group belongs to, given the topic prefix; undefined for another group. */
export function serviceOfGroup(group: string, prefix: string): ServiceName | undefined {
  return services.find((s) => prefixed(prefix, s) === group)
}
