// stock-service's public entry (`@choreo/stock-service`): what tools, bench, e2e and scripts may use of it; the rest is internal.

// The service itself: its saga page (built for a fulfilment policy), and the app as e2e builds it in-process.
export { build } from './app.ts'
export { readConfig } from './config.ts'
export { saga } from './saga.ts'
export { shipAtOnce } from './domain/fulfilment.ts'

// An order's reservation and shipments as stock's database holds them, for `choreo saga`.
export { findReservation, type Reservation } from './repositories/reservations.ts'
export { shipmentsOfOrder, type Shipment } from './repositories/shipments.ts'
