// The three services a benchmark runs against, each a process of its own started by the launcher.
import path from 'node:path'
import { freePort, launchService, serviceEnv, type ServiceProcess } from '@choreo/launcher'
import { ROOT } from './results.ts'
import type { BenchStack } from './stack.ts'

export const SERVICES = ['order', 'stock', 'payment'] as const
export type ServiceName = (typeof SERVICES)[number]

const READY_TIMEOUT_MS = 90_000
/**
 * Whose services run: this checkout's, or another's (BENCH_SERVICES_ROOT, a `git worktree` of the
 * baseline commit with its own `pnpm install`), so that a change is measured beside its baseline
 * by the same benchmark code.
 */
const SERVICES_ROOT = process.env.BENCH_SERVICES_ROOT ?? ROOT

export interface RunningService {
  name: ServiceName
  pid: number
  url: string
}

export interface RunningServices {
  services: Record<ServiceName, RunningService>
  /** Graceful stop (SIGTERM), then SIGKILL after a grace period. */
  stop(): Promise<void>
}

/**
 * The three services as processes of their own (as in production: each its own event loop and
 * CPU account), each with its database, all on one topic prefix. Logs go to logDir.
 */
export async function startServices(opts: {
  stack: BenchStack
  databaseUrls: Record<ServiceName, string>
  topicPrefix: string
  jwtSecret: string
  logDir: string
  /** Extra environment, e.g. DATABASE_POOL_MAX. */
  env: Record<string, string>
}): Promise<RunningServices> {
  const processes: ServiceProcess[] = []
  const started = await Promise.all(SERVICES.map(async (name): Promise<RunningService> => {
    const env = serviceEnv({
      port: await freePort(), databaseUrl: opts.databaseUrls[name], topicPrefix: opts.topicPrefix,
      kafkaBrokers: opts.stack.brokers, kafkaSasl: opts.stack.sasl, registryUrl: opts.stack.registryUrl,
      jwtSecret: opts.jwtSecret, logLevel: 'warn', extra: opts.env,
    })
    const child = launchService({
      service: `${name}-service`, root: SERVICES_ROOT, env, inherit: process.env, logFile: path.join(opts.logDir, `${name}-service.log`),
    })
    processes.push(child)
    await child.ready({ timeoutMs: READY_TIMEOUT_MS })
    return { name, pid: child.pid, url: child.url }
  }))
  return {
    services: Object.fromEntries(started.map((s) => [s.name, s])) as Record<ServiceName, RunningService>,
    async stop() {
      await Promise.all(processes.map((child) => child.stop()))
    },
  }
}
