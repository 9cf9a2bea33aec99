import type { Saga } from '@choreo/messaging'

// payment-service's page of the saga: which event triggers which step, what it emits.
export const saga: Saga = {}
