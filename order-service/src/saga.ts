import type { Saga } from '@choreo/messaging'

// order-service's page of the saga: which event triggers which step, what it emits.
export const saga: Saga = {}
