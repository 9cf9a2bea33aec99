import { spawn, type ChildProcess } from 'node:child_process'
import { createWriteStream, mkdirSync } from 'node:fs'
import path from 'node:path'
import { freePort } from './free-port.ts'
import { ROOT } from './results.ts'
import { saslEnv, type BenchStack } from './stack.ts'

export const SERVICES = ['order', 'stock', 'payment'] as const
export type ServiceName = (typeof SERVICES)[number]

const READY_TIMEOUT_MS = 90_000
const STOP_GRACE_MS = 20_000

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

async function untilHealthy(url: string, child: ChildProcess, logFile: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${url} exited with ${child.exitCode} while starting; see ${logFile}`)
    const ok = await fetch(`${url}/health`).then((r) => r.ok, () => false)
    if (ok) return
    if (Date.now() > deadline) throw new Error(`${url} not healthy after ${READY_TIMEOUT_MS / 1000} s; see ${logFile}`)
    await new Promise((r) => setTimeout(r, 250))
  }
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
  mkdirSync(opts.logDir, { recursive: true })
  const children: ChildProcess[] = []
  const killAll = (): void => { for (const c of children) c.kill('SIGKILL') }
  process.once('exit', killAll)
  const started = await Promise.all(SERVICES.map(async (name): Promise<RunningService> => {
    const port = await freePort()
    const logFile = path.join(opts.logDir, `${name}-service.log`)
    const child = spawn(process.execPath, [path.join(ROOT, `${name}-service/src/server.ts`)], {
      env: {
        ...process.env, ...opts.env,
        PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: opts.databaseUrls[name], TOPIC_PREFIX: opts.topicPrefix,
        KAFKA_BROKERS: opts.stack.brokers.join(','), ...saslEnv(opts.stack), SCHEMA_REGISTRY_URL: opts.stack.registryUrl, JWT_SECRET: opts.jwtSecret,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    children.push(child)
    const log = createWriteStream(logFile)
    child.stdout?.pipe(log)
    child.stderr?.pipe(log)
    const url = `http://127.0.0.1:${port}`
    await untilHealthy(url, child, logFile)
    return { name, pid: child.pid as number, url }
  }))
  return {
    services: Object.fromEntries(started.map((s) => [s.name, s])) as Record<ServiceName, RunningService>,
    async stop() {
      process.off('exit', killAll)
      await Promise.all(children.map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return
        const exited = new Promise((r) => child.once('exit', r))
        child.kill('SIGTERM')
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS)
        await exited
        clearTimeout(timer)
      }))
    },
  }
}
