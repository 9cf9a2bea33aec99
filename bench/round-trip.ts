// `./choreo bench round-trip`: what one statement to PostgreSQL costs the machine, client and server side: the unit a saga's CPU is made of.
import type { Knex } from 'knex'
import { progress } from './log.ts'
import { processCpuMs } from './process-cpu.ts'
import { machineFacts, round, writeResult } from './results.ts'
import { benchStack, createBenchDatabase } from './stack.ts'

export interface RoundTripBenchOptions {
  /** Round trips timed per shape, after as many again as a warm-up (caches, JIT, a generic plan). */
  count: number
}

export const roundTripDefaults: RoundTripBenchOptions = { count: 20_000 }

/** One shape of statement: how many round trips one call makes, and the call. */
interface Shape {
  name: string
  roundTrips: number
  run(db: Knex, i: number): Promise<unknown>
}

const KEYS = 1000

// What a saga's statements look like: the floor, a row read by key as the query builder writes it,
// and a transaction that changes a row (BEGIN, UPDATE, COMMIT with its WAL flush).
const SHAPES: Shape[] = [
  { name: 'SELECT 1', roundTrips: 1, run: (db) => db.raw('SELECT 1') },
  { name: 'row by key (query builder)', roundTrips: 1, run: (db, i) => db('rows').where({ id: `k${i % KEYS}` }).first() },
  {
    name: 'BEGIN; UPDATE a row; COMMIT',
    roundTrips: 3,
    run: (db, i) => db.transaction((trx) => trx('rows').where({ id: `k${i % KEYS}` }).increment('n', 1)),
  },
]

interface ShapeFigures {
  shape: string
  roundTrips: number
  /** Per round trip, in microseconds. */
  wallUs: number
  clientCpuUs: number
  serverCpuUs: number
  machineCpuUs: number
}

/**
 * Times each shape on one pooled connection, one call at a time: this process's CPU
 * (process.cpuUsage: user and system, the socket writes included) and the server backend's
 * (/proc/<its pid>/stat), both per round trip.
 */
export async function benchRoundTrip(opts: RoundTripBenchOptions): Promise<void> {
  const stack = benchStack()
  const database = await createBenchDatabase(stack, 'round_trip', 1)
  try {
    const { db } = database
    await db.schema.createTable('rows', (t) => {
      t.string('id', 64).primary()
      t.bigInteger('n').notNullable()
    })
    await db('rows').insert(Array.from({ length: KEYS }, (_, i) => ({ id: `k${i}`, n: 0 })))
    const machine = await machineFacts(db)
    const backendPid: number = (await db.raw('SELECT pg_backend_pid() AS pid')).rows[0].pid
    const figures: ShapeFigures[] = []
    for (const shape of SHAPES) {
      progress(`${shape.name}: ${opts.count} calls after as many to warm up`)
      for (let i = 0; i < opts.count; i++) await shape.run(db, i)
      const client = process.cpuUsage()
      const server = processCpuMs(backendPid)
      const started = performance.now()
      for (let i = 0; i < opts.count; i++) await shape.run(db, i)
      const wallMs = performance.now() - started
      const clientUsed = process.cpuUsage(client)
      const serverMs = processCpuMs(backendPid) - server
      const trips = opts.count * shape.roundTrips
      const perTrip = (ms: number) => round((ms * 1000) / trips, 1)
      const clientMs = (clientUsed.user + clientUsed.system) / 1000
      figures.push({
        shape: shape.name, roundTrips: shape.roundTrips,
        wallUs: perTrip(wallMs), clientCpuUs: perTrip(clientMs), serverCpuUs: perTrip(serverMs), machineCpuUs: perTrip(clientMs + serverMs),
      })
    }
    const file = writeResult('round-trip', { benchmark: 'round-trip', at: new Date().toISOString(), inputs: opts, machine, figures })
    for (const f of figures) {
      console.log(`${f.shape}: per round trip ${f.wallUs} µs wall, CPU ${f.machineCpuUs} µs (client ${f.clientCpuUs}, server ${f.serverCpuUs})`)
    }
    console.log(`round-trip: ${file}`)
  } finally {
    await database.drop()
  }
}
