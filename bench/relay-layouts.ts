// `./choreo bench relay-layouts`: the relay's drain on one Kafka node against a three-node cluster, alternating round by round in one run.
import { createEventCodec, createOutbox, createMessagingTables, postgresDialect } from '@choreo/messaging'
import { startKafkaLayout, type KafkaLayout } from './kafka-layouts.ts'
import { progress } from './log.ts'
import { BENCH_EVENT_TYPES, fillOutbox } from './order-events.ts'
import { assertAllOn, timeRelay, type RelayBenchOptions } from './relay.ts'
import { machineFacts, round, writeResult } from './results.ts'
import { benchKafka, benchStack, createBenchDatabase, createBenchTopics } from './stack.ts'

/*
 * The relay's drain on one Kafka node and on a three-node cluster (replication 3, two in-sync
 * copies per acks=all write), side by side in one run: both layouts are started here on ports of
 * their own, and the drains alternate between them, round by round, so that the machine's
 * drift falls on both alike. The stack's own Kafka is not touched.
 */
export interface LayoutsBenchOptions extends Pick<RelayBenchOptions, 'events' | 'keys' | 'batchSize' | 'perTransaction'> {
  rounds: number
}

/** Brokers of the temporary layouts: 39092 for one node, 39292-39294 for three (controllers +100, so they do not meet). */
const BASE_PORT = { 1: 39092, 3: 39292 } as const

export async function benchRelayLayouts(opts: LayoutsBenchOptions): Promise<void> {
  const stack = benchStack()
  const codec = createEventCodec({ registryUrl: stack.registryUrl })
  await codec.register([...BENCH_EVENT_TYPES])
  const layouts: KafkaLayout[] = []
  try {
    for (const nodes of [1, 3] as const) {
      progress(`starting a ${nodes}-node Kafka on ${BASE_PORT[nodes]}…`)
      layouts.push(await startKafkaLayout(nodes, BASE_PORT[nodes]))
    }
    const runs: Record<string, number[]> = { 1: [], 3: [] }
    let machine
    for (let round = 0; round < opts.rounds; round++) {
      // Alternate which layout goes first, so neither always drains on a warmer machine.
      for (const layout of round % 2 === 0 ? layouts : [...layouts].reverse()) {
        const layoutStack = { ...stack, brokers: layout.brokers, sasl: layout.sasl }
        const kafka = benchKafka(layoutStack, 'bench-layouts')
        const admin = kafka.admin()
        await admin.connect()
        const database = await createBenchDatabase(stack, `layout${layout.nodes}`, 4)
        const topics = await createBenchTopics(layoutStack, `layout${layout.nodes}`)
        try {
          await createMessagingTables(database.db)
          await fillOutbox(database.db, createOutbox({ codec, dialect: postgresDialect, topicPrefix: topics.prefix }), opts)
          await database.db.raw('VACUUM ANALYZE outbox')
          machine ??= await machineFacts(database.db)
          const drained = await timeRelay(database.db, codec, kafka, { ...opts, debezium: false })
          await assertAllOn(admin, topics.prefix, opts.events, `${layout.nodes}-node relay`)
          runs[layout.nodes]?.push(drained.eventsPerSecond)
          progress(`round ${round + 1}, ${layout.nodes} node(s): ${drained.eventsPerSecond} events/s`)
        } finally {
          await admin.disconnect()
          await topics.drop().catch(() => {})
          await database.drop()
        }
      }
    }
    const median = (xs: number[]) => {
      const sorted = [...xs].sort((a, b) => a - b)
      const mid = Math.floor(sorted.length / 2)
      return sorted.length % 2 === 1 ? sorted[mid]! : Math.round(((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2)
    }
    const one = median(runs[1] ?? []), three = median(runs[3] ?? [])
    const file = writeResult('relay-layouts', {
      benchmark: 'relay-layouts', at: new Date().toISOString(), inputs: opts, machine,
      figures: { eventsPerSecond: runs, median: { oneNode: one, threeNodes: three }, threeToOne: round(three / one, 2) },
      notes: ['both layouts run on the same 2 cores: three nodes replicate every write twice more on the same machine, so the ratio bounds what a real three-machine cluster would cost'],
    })
    console.log(`relay drain: one node ${one} events/s, three nodes ${three} events/s (${round(three / one, 2)}×), median of ${opts.rounds} alternating rounds; ${file}`)
  } finally {
    for (const layout of layouts) await layout.stop().catch((err: unknown) => progress(`stopping the ${layout.nodes}-node Kafka failed: ${String(err)}`))
  }
}
