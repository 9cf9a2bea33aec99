// payment-service's public entry (`@choreo/payment-service`): what tools, bench, e2e and scripts may use of it; the rest is internal.

// The service itself: its saga page and the facts it keeps, and the app as e2e builds it in-process.
export { build } from './app.ts'
export { readConfig } from './config.ts'
export { facts, saga } from './saga.ts'
