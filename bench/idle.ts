// `./choreo bench idle`: what the three services cost with no orders at all, each as a share of one core over a minute, beside Kafka's and PostgreSQL's.
import { randomBytes } from 'node:crypto'
import path from 'node:path'
import { progress } from './log.ts'
import { machineCpu, processCpuMs, type CpuGroup } from './process-cpu.ts'
import { machineFacts, RESULTS_DIR, round, writeResult } from './results.ts'
import { SERVICES, startServices, type RunningServices, type ServiceName } from './services.ts'
import { benchStack, createBenchDatabase, createBenchTopics, runName, type BenchDatabase } from './stack.ts'

export interface IdleBenchOptions {
  seconds: number
  /** Left alone this long after they start, so that start-up work (joining groups, first polls) is not counted. */
  settleSeconds: number
}

export const idleDefaults: IdleBenchOptions = { seconds: 60, settleSeconds: 15 }

/** The services started on databases and topics of their own, left alone, their CPU read from /proc before and after. */
export async function benchIdle(opts: IdleBenchOptions): Promise<void> {
  const stack = benchStack()
  const databases: Partial<Record<ServiceName, BenchDatabase>> = {}
  const topics = await createBenchTopics(stack, 'idle')
  let running: RunningServices | undefined
  try {
    for (const s of SERVICES) databases[s] = await createBenchDatabase(stack, `idle_${s}`, 2)
    const dbs = databases as Record<ServiceName, BenchDatabase>
    const machine = await machineFacts(dbs.order.db)
    progress(`starting the three services${process.env.BENCH_SERVICES_ROOT ? ` from ${process.env.BENCH_SERVICES_ROOT}` : ''}`)
    running = await startServices({
      stack, topicPrefix: topics.prefix, jwtSecret: randomBytes(32).toString('hex'), logDir: path.join(RESULTS_DIR, 'idle-logs', runName('idle', '-')),
      databaseUrls: { order: dbs.order.url, stock: dbs.stock.url, payment: dbs.payment.url }, env: {},
    })
    const { services } = running
    progress(`settling for ${opts.settleSeconds} s, then measuring for ${opts.seconds} s`)
    await new Promise((r) => setTimeout(r, opts.settleSeconds * 1000))
    const before = SERVICES.map((s) => processCpuMs(services[s].pid))
    const machineBefore = machineCpu()
    const started = performance.now()
    await new Promise((r) => setTimeout(r, opts.seconds * 1000))
    const wallMs = performance.now() - started
    const after = SERVICES.map((s) => processCpuMs(services[s].pid))
    const machineAfter = machineCpu()
    const share = (ms: number) => round((100 * ms) / wallMs, 2)
    const figures = {
      /** Percent of one core, per service. */
      servicePercentOfCore: Object.fromEntries(SERVICES.map((s, i) => [s, share(after[i]! - before[i]!)])) as Record<ServiceName, number>,
      infraPercentOfCore: Object.fromEntries(Object.entries(machineAfter.byGroup).map(([g, ms]) => [g, share(ms - machineBefore.byGroup[g as CpuGroup])])) as Record<CpuGroup, number>,
      seconds: round(wallMs / 1000, 1),
    }
    writeResult('idle', { benchmark: 'idle', at: new Date().toISOString(), inputs: { ...opts, servicesRoot: process.env.BENCH_SERVICES_ROOT ?? null }, machine, figures })
    const line = SERVICES.map((s) => `${s} ${figures.servicePercentOfCore[s]}%`).join(', ')
    console.log(`idle over ${figures.seconds} s, % of one core: ${line}; ${Object.entries(figures.infraPercentOfCore).map(([g, v]) => `${g} ${v}%`).join(', ')}`)
  } finally {
    await running?.stop()
    await Promise.all(Object.values(databases).map((d) => d?.drop()))
    await topics.drop()
  }
}
