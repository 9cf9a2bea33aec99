// choreo bench: benchmarks: relay | pickup | saga | chart (results in .bench/, see bench/RESULTS.md)
import { parseArgs } from 'node:util'
import { chartSaga } from '../../bench/chart.ts'
import { benchPickup, pickupDefaults } from '../../bench/pickup.ts'
import { benchRelay, relayDefaults } from '../../bench/relay.ts'
import { benchSaga, sagaDefaults } from '../../bench/saga.ts'

const USAGE = `usage: ./choreo bench <benchmark> [options]
  relay   [--events 200000] [--keys 10000] [--batch 1000] [--no-debezium]
          outbox drain by the relay, beside the producer's ceiling and Debezium's outbox router
          (Debezium switches PostgreSQL to wal_level=logical and back: two restarts)
  pickup  [--rate 1000] [--seconds 30]
          latency from commit to consumer at a steady rate, writers in this process and in another
  saga    [--rates 100,250,500,700] [--seconds 60]
          open-loop POST /orders against the three services started here, rate by rate
  chart   bench/saga-latency.png from the latest saga result`

function positive(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, not '${value}'`)
  return n
}

// Ctrl-C: exit through process.exit, whose 'exit' handlers stop the services and JVMs a benchmark
// started. Deferred, so a handler registered later (restoring wal_level) runs first.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => setImmediate(() => process.exit(130)))

const [benchmark, ...rest] = process.argv.slice(2)
switch (benchmark) {
  case 'relay': {
    const { values } = parseArgs({ args: rest, options: { events: { type: 'string' }, keys: { type: 'string' }, batch: { type: 'string' }, 'no-debezium': { type: 'boolean' } } })
    await benchRelay({
      events: positive('events', values.events, relayDefaults.events),
      keys: positive('keys', values.keys, relayDefaults.keys),
      batchSize: positive('batch', values.batch, relayDefaults.batchSize),
      perTransaction: relayDefaults.perTransaction,
      debezium: !values['no-debezium'],
    })
    break
  }
  case 'pickup': {
    const { values } = parseArgs({ args: rest, options: { rate: { type: 'string' }, seconds: { type: 'string' } } })
    await benchPickup({
      ...pickupDefaults,
      rate: positive('rate', values.rate, pickupDefaults.rate),
      seconds: positive('seconds', values.seconds, pickupDefaults.seconds),
    })
    break
  }
  case 'saga': {
    const { values } = parseArgs({ args: rest, options: { rates: { type: 'string' }, seconds: { type: 'string' } } })
    await benchSaga({
      ...sagaDefaults,
      rates: values.rates === undefined ? sagaDefaults.rates : values.rates.split(',').map((r) => positive('rates', r, 0)),
      seconds: positive('seconds', values.seconds, sagaDefaults.seconds),
    })
    break
  }
  case 'chart':
    chartSaga()
    break
  default:
    console.error(USAGE)
    process.exit(2)
}
