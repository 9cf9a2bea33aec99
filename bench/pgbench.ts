// PostgreSQL's own pgbench (TPC-B) on this machine, in a scratch database: a yardstick that lets saga figures from different machines be compared.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { createBenchDatabase, type BenchStack } from './stack.ts'

const run = promisify(execFile)

export interface PgbenchFigures {
  scale: number
  clients: number
  seconds: number
  /** Transactions per second, without the initial connection time. */
  tps: number
}

export const pgbenchDefaults = { scale: 10, clients: 8, seconds: 30 }

/** `pgbench -i -s scale`, then `pgbench -c clients -j 2 -T seconds -n` (TPC-B-like), in a database dropped afterwards. */
export async function runPgbench(stack: BenchStack, opts: { scale: number; clients: number; seconds: number } = pgbenchDefaults): Promise<PgbenchFigures> {
  const database = await createBenchDatabase(stack, 'pgbench', 1)
  try {
    await run('pgbench', ['-i', '-q', '-s', String(opts.scale), database.url])
    const { stdout } = await run('pgbench', ['-c', String(opts.clients), '-j', '2', '-T', String(opts.seconds), '-n', database.url])
    const tps = /tps = ([0-9.]+) \(without initial connection time\)/.exec(stdout)?.[1]
    if (tps === undefined) throw new Error(`pgbench printed no tps:\n${stdout}`)
    return { ...opts, tps: Math.round(Number(tps)) }
  } finally {
    await database.drop()
  }
}
