// Runs one service as a process of its own (`node <root>/<service>/src/server.ts`), tells when it
// answers /health, and stops it: SIGTERM for its graceful shutdown, SIGKILL when that takes too long.
import { spawn, type ChildProcess } from 'node:child_process'
import { closeSync, mkdirSync, openSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { DEFAULT_HOST } from '@choreo/platform'

export const SERVICES = ['order-service', 'stock-service', 'payment-service'] as const
export type ServiceName = (typeof SERVICES)[number]

/** A graceful stop that takes longer than this ends with SIGKILL (a service's own shutdown gives up after 15 s). */
export const STOP_GRACE_MS = 20_000
const READY_POLL_MS = 200
/** A /health that has not answered within this counts as no answer. */
const PROBE_TIMEOUT_MS = 2000

export interface Exit {
  code: number | null
  signal: NodeJS.Signals | null
}

export interface LaunchOptions {
  service: ServiceName
  /** The checkout it runs from: this one, or another build (a rolling upgrade's). */
  root: string
  /** Its settings (serviceEnv()); PORT and HOST give its address. */
  env: Record<string, string>
  /** The environment its own settings are laid over: by default only PATH, so nothing of the caller's leaks in. */
  inherit?: NodeJS.ProcessEnv
  /** A file its output is appended to; without one its stdout is dropped and its stderr is the caller's. */
  logFile?: string
  /** In a session of its own, outliving the caller (./choreo up); otherwise it is killed when the caller exits. */
  detached?: boolean
}

export interface ServiceProcess {
  service: ServiceName
  pid: number
  url: string
  /** Settles once the process has ended, however it ended. */
  exited: Promise<Exit>
  readonly running: boolean
  /** Waits until /health answers 200 (`accept: 'any'`: any answer); fails when the process ends first or time runs out. */
  ready(options?: { timeoutMs?: number; accept?: HealthAccept }): Promise<void>
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<Exit>
  /** Sends `signal` (SIGKILL unless named); resolves once it has exited. */
  kill(signal?: NodeJS.Signals): Promise<Exit>
}

/** 'ok': 200, a service that reaches its database and Kafka; 'any': any HTTP answer, a service that listens. */
export type HealthAccept = 'ok' | 'any'

const DEFAULT_READY_TIMEOUT_MS = 60_000

// Processes not detached must not outlive their launcher, however it ends.
const attached = new Set<ChildProcess>()
let exitHookInstalled = false
function killOnExit(child: ChildProcess): void {
  attached.add(child)
  child.once('exit', () => attached.delete(child))
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.on('exit', () => { for (const c of attached) c.kill('SIGKILL') })
}

export function launchService(options: LaunchOptions): ServiceProcess {
  const { service, root, env, logFile } = options
  if (!env.PORT) throw new Error(`${service}: no PORT in its environment, so no address to wait on`)
  const url = `http://${env.HOST ?? DEFAULT_HOST}:${env.PORT}`
  let output: number | 'ignore' = 'ignore'
  if (logFile) {
    mkdirSync(dirname(logFile), { recursive: true })
    output = openSync(logFile, 'a')
  }
  const child = spawn(process.execPath, [join(root, service, 'src', 'server.ts')], {
    cwd: root,
    env: { ...(options.inherit ?? { PATH: process.env.PATH ?? '' }), ...env },
    stdio: ['ignore', output, output === 'ignore' ? 'inherit' : output],
    detached: options.detached ?? false,
  })
  if (typeof output === 'number') closeSync(output)
  if (options.detached) child.unref()
  else killOnExit(child)

  let running = child.pid !== undefined
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => { running = false; resolve({ code, signal }) })
    // Not started at all (no exit follows).
    child.once('error', () => { if (child.pid === undefined) { running = false; resolve({ code: null, signal: null }) } })
  })
  const seeLog = logFile ? `; see ${logFile}` : ''

  return {
    service, url, exited,
    pid: child.pid ?? 0,
    get running() { return running },
    async ready({ timeoutMs = DEFAULT_READY_TIMEOUT_MS, accept = 'ok' } = {}) {
      if (await waitForHealth(url, { timeoutMs, accept, while: () => running })) return
      if (!running) throw new Error(`${service} (${url}) exited with ${(await exited).code} while starting${seeLog}`)
      throw new Error(`${service} (${url}) not healthy after ${timeoutMs / 1000} s${seeLog}`)
    },
    async stop(graceMs = STOP_GRACE_MS) {
      if (!running) return exited
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs)
      try {
        return await exited
      } finally {
        clearTimeout(timer)
      }
    },
    async kill(signal = 'SIGKILL') {
      if (running) child.kill(signal)
      return exited
    },
  }
}

/** The status /health answers with, or 0 when nothing answers within the probe's time-out. */
export async function healthStatus(url: string): Promise<number> {
  try {
    return (await fetch(`${url}/health`, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) })).status
  } catch {
    return 0
  }
}

/**
 * Polls `url`/health until it answers as `accept` says: true; false once `timeoutMs` has passed or
 * `while` turned false (the process ended, or its caller gave it up).
 */
export async function waitForHealth(url: string, options: { timeoutMs: number; accept?: HealthAccept; while?: () => boolean }): Promise<boolean> {
  const deadline = Date.now() + options.timeoutMs
  const keepOn = options.while ?? (() => true)
  while (Date.now() < deadline && keepOn()) {
    const status = await healthStatus(url)
    if (options.accept === 'any' ? status > 0 : status === 200) return true
    await sleep(READY_POLL_MS)
  }
  return false
}
