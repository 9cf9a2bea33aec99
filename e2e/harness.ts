// The system tier's harness, for every test that drives the whole system: the three services as processes (system.ts) and a shop that uses them as a customer would (fixtures.ts).
export { startSystem, type System, type ServiceName } from './system.ts'
export { ADDRESS, SAGA_TIMEOUT_MS, createShop, useShop, type Order, type Shop } from './fixtures.ts'
