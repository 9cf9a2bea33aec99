// The benchmarks' public entry: what `./choreo bench` (tools/commands/bench.ts) runs, one function per benchmark.
export { chartSaga } from './chart.ts'
export { benchExplorer } from './explorer.ts'
export { benchIdle, idleDefaults } from './idle.ts'
export { benchPickup, pickupDefaults } from './pickup.ts'
export { benchRelay, relayDefaults } from './relay.ts'
export { benchRelayLayouts } from './relay-layouts.ts'
export { benchRoundTrip, roundTripDefaults } from './round-trip.ts'
export { benchSaga, sagaDefaults } from './saga.ts'
