// stock-service's public entry (`@choreo/stock-service`): what tools, bench, e2e and scripts may use of it; the rest is internal.

// Its page of the saga, built for a fulfilment policy.
export { saga } from './saga.ts'
export { shipAtOnce } from './domain/fulfilment.ts'

// An order's reservation and shipments as stock's database holds them, for `choreo saga`.
export { findReservation, type Reservation } from './repositories/reservations.ts'
export { shipmentsOfOrder, type Shipment } from './repositories/shipments.ts'
