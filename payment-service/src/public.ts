// payment-service's public entry (`@choreo/payment-service`): what tools, bench, e2e and scripts may use of it; the rest is internal.

// Its page of the saga, and the steps that record facts from other topics (in a consumer group of their own).
export { facts, saga } from './saga.ts'
