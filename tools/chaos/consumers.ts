// What each service's consumer reads (topics) and records in its inbox (event types), taken from its saga under the run's prefix.
import { prefixed, topicOf, type EventType } from '@choreo/contracts'
import { sagas, type ServiceName } from '../lib/services.ts'

export interface ConsumerOf {
  /** The prefixed topics the service's consumer subscribes to. */
  topics: string[]
  /** The event types its saga reacts to: each gets an inbox row when handled. */
  handles: ReadonlySet<string>
}

/** What each service consumes, read from its saga the way its consumer subscribes. */
export function consumersOf(prefix: string): Record<ServiceName, ConsumerOf> {
  const of = (service: ServiceName): ConsumerOf => {
    const handles = Object.keys(sagas[service]) as EventType[]
    return { topics: [...new Set(handles.map((type) => prefixed(prefix, topicOf(type))))], handles: new Set(handles) }
  }
  return { 'order-service': of('order-service'), 'stock-service': of('stock-service'), 'payment-service': of('payment-service') }
}
