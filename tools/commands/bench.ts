// choreo bench: benchmarks: relay | relay-layouts | pickup | saga | idle | round-trip | explorer | chart (results in .bench/, see bench/RESULTS.md)
import { benchExplorer, benchIdle, benchPickup, benchRelay, benchRelayLayouts, benchRoundTrip, benchSaga, chartSaga, idleDefaults, pickupDefaults, relayDefaults, roundTripDefaults, sagaDefaults } from '@choreo/bench'
import { runCommand, UsageError } from '../lib/command.ts'
import { parseCommandLine, verbOf, wholeNumber } from '../lib/command-line.ts'

const USAGE = `usage: ./choreo bench <benchmark> [options]
  relay   [--events 200000] [--keys 10000] [--batch 1000] [--no-debezium]
          outbox drain by the relay, beside the producer's ceiling and Debezium's outbox router
          (Debezium switches PostgreSQL to wal_level=logical and back: two restarts)
  relay-layouts [--events 100000] [--rounds 2]
          the relay's drain on one Kafka node and on a three-node cluster, alternating, both
          started here on ports of their own (39092, 39292-39294)
  pickup  [--rate 1000] [--seconds 30]
          latency from commit to consumer at a steady rate, writers in this process and in another
  saga    [--rates 100,250,500,700] [--seconds 60]
          open-loop POST /orders against the three services started here, rate by rate
  idle    [--seconds 60]
          each service's CPU (% of one core) with no orders, beside Kafka's and PostgreSQL's
  round-trip [--count 20000]
          what one statement to PostgreSQL costs, client and server CPU, for three shapes of statement
  explorer
          the saga explorer's order page with 100,000 orders in scratch databases: latency, and the index each read uses
  (saga, idle: BENCH_SERVICES_ROOT=<a git worktree> runs that checkout's services, for a baseline side by side)
  chart   bench/saga-latency.png from the latest saga result`

// Ctrl-C: exit through process.exit, whose 'exit' handlers stop the services and JVMs a benchmark
// started. Deferred, so a handler registered later (restoring wal_level) runs first.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => setImmediate(() => process.exit(130)))

await runCommand(USAGE, async (args) => {
  const benchmark = verbOf(parseCommandLine(args.slice(0, 1), {}).positionals, ['relay', 'relay-layouts', 'pickup', 'saga', 'explorer', 'idle', 'round-trip', 'chart'])
  const rest = args.slice(1)
  switch (benchmark) {
    case 'relay': {
      const { values } = withoutPositionals(parseCommandLine(rest, { events: { type: 'string' }, keys: { type: 'string' }, batch: { type: 'string' }, 'no-debezium': { type: 'boolean' } }))
      await benchRelay({
        events: values.events === undefined ? relayDefaults.events : wholeNumber('--events', values.events),
        keys: values.keys === undefined ? relayDefaults.keys : wholeNumber('--keys', values.keys),
        batchSize: values.batch === undefined ? relayDefaults.batchSize : wholeNumber('--batch', values.batch),
        perTransaction: relayDefaults.perTransaction,
        debezium: !values['no-debezium'],
      })
      break
    }
    case 'relay-layouts': {
      const { values } = withoutPositionals(parseCommandLine(rest, { events: { type: 'string' }, rounds: { type: 'string' } }))
      await benchRelayLayouts({
        events: values.events === undefined ? 100_000 : wholeNumber('--events', values.events),
        keys: relayDefaults.keys,
        batchSize: relayDefaults.batchSize,
        perTransaction: relayDefaults.perTransaction,
        rounds: values.rounds === undefined ? 2 : wholeNumber('--rounds', values.rounds),
      })
      break
    }
    case 'pickup': {
      const { values } = withoutPositionals(parseCommandLine(rest, { rate: { type: 'string' }, seconds: { type: 'string' } }))
      await benchPickup({
        ...pickupDefaults,
        rate: values.rate === undefined ? pickupDefaults.rate : wholeNumber('--rate', values.rate),
        seconds: values.seconds === undefined ? pickupDefaults.seconds : wholeNumber('--seconds', values.seconds),
      })
      break
    }
    case 'saga': {
      const { values } = withoutPositionals(parseCommandLine(rest, { rates: { type: 'string' }, seconds: { type: 'string' } }))
      await benchSaga({
        ...sagaDefaults,
        rates: values.rates === undefined ? sagaDefaults.rates : values.rates.split(',').map((r) => wholeNumber('--rates', r)),
        seconds: values.seconds === undefined ? sagaDefaults.seconds : wholeNumber('--seconds', values.seconds),
      })
      break
    }
    case 'idle': {
      const { values } = withoutPositionals(parseCommandLine(rest, { seconds: { type: 'string' } }))
      await benchIdle({ ...idleDefaults, seconds: values.seconds === undefined ? idleDefaults.seconds : wholeNumber('--seconds', values.seconds) })
      break
    }
    case 'round-trip': {
      const { values } = withoutPositionals(parseCommandLine(rest, { count: { type: 'string' } }))
      await benchRoundTrip({ count: values.count === undefined ? roundTripDefaults.count : wholeNumber('--count', values.count) })
      break
    }
    case 'explorer':
      withoutPositionals(parseCommandLine(rest, {}))
      await benchExplorer()
      break
    case 'chart':
      withoutPositionals(parseCommandLine(rest, {}))
      chartSaga()
      break
  }
})

function withoutPositionals<L extends { positionals: string[] }>(line: L): L {
  if (line.positionals.length > 0) throw new UsageError(`unexpected argument '${line.positionals[0]}'`)
  return line
}
