// The tools' integration tests run a command as ./choreo does: a child process with the test's environment, its output awaited or collected.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { infra, type TestDatabase } from '@choreo/testkit'

const root = join(import.meta.dirname, '..', '..')

export interface ToolRun {
  code: number
  stdout: string
  stderr: string
}

export interface RunningTool {
  /** Resolves with the output so far once `pattern` shows on stdout or stderr. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>
  /** Sends SIGINT, as Ctrl-C does. */
  interrupt(): void
  done: Promise<ToolRun>
}

/** The environment ./choreo gives a command, pointed at this test's topics and databases. */
export function toolEnv(prefix: string, databases: Partial<Record<'order' | 'stock' | 'payment', TestDatabase>> = {}): Record<string, string> {
  return {
    KAFKA_BROKERS: infra().brokers.join(','),
    ...kafkaEnv(),
    SCHEMA_REGISTRY_URL: infra().registryUrl,
    TOPIC_PREFIX: prefix,
    ...(databases.order ? { ORDER_DATABASE_URL: databases.order.url } : {}),
    ...(databases.stock ? { STOCK_DATABASE_URL: databases.stock.url } : {}),
    ...(databases.payment ? { PAYMENT_DATABASE_URL: databases.payment.url } : {}),
  }
}

/** The operator's Kafka credentials, as ./choreo exports them, for the tools and for kcat (KCAT_CONFIG). */
function kafkaEnv(): Record<string, string> {
  const { sasl } = infra()
  return {
    ...(sasl ? { KAFKA_SASL_MECHANISM: sasl.mechanism, KAFKA_SASL_USERNAME: sasl.username, KAFKA_SASL_PASSWORD: sasl.password } : {}),
    ...(process.env.KCAT_CONFIG ? { KCAT_CONFIG: process.env.KCAT_CONFIG } : {}),
  }
}

/**
 * Starts `node tools/commands/<name>.ts` as ./choreo would, asynchronously: services under test
 * may run in this very process, and must keep running while the command talks to them.
 */
export function startTool(name: string, args: readonly string[], env: Record<string, string>, stdin?: Buffer): RunningTool {
  const child = spawn(process.execPath, [join(root, 'tools', 'commands', `${name}.ts`), ...args], {
    cwd: root, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }, stdio: ['pipe', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  const watchers = new Set<() => void>()
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); for (const w of watchers) w() })
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); for (const w of watchers) w() })
  if (stdin) child.stdin.end(stdin)
  else child.stdin.end()
  const done = new Promise<ToolRun>((resolve, reject) => {
    child.once('error', reject)
    child.once('close', (code) => resolve({ code: code ?? -1, stdout, stderr }))
  })
  return {
    done,
    interrupt: () => { child.kill('SIGINT') },
    waitFor(pattern, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (!pattern.test(stdout) && !pattern.test(stderr)) return
          watchers.delete(check)
          clearTimeout(timer)
          resolve(stdout)
        }
        const timer = setTimeout(() => {
          watchers.delete(check)
          reject(new Error(`${name} did not print ${pattern} within ${timeoutMs} ms; stdout: ${stdout}\nstderr: ${stderr}`))
        }, timeoutMs)
        watchers.add(check)
        void done.then(() => { if (watchers.has(check)) { check(); if (watchers.has(check)) { watchers.delete(check); clearTimeout(timer); reject(new Error(`${name} exited without printing ${pattern}; stdout: ${stdout}\nstderr: ${stderr}`)) } } })
        check()
      })
    },
  }
}

/** Runs a command to its end. */
export function runTool(name: string, args: readonly string[], env: Record<string, string>, stdin?: Buffer): Promise<ToolRun> {
  return startTool(name, args, env, stdin).done
}

/** Parses a command's --json output (one JSON document, or one per line). */
export function jsonLines<T>(stdout: string): T[] {
  return stdout.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as T)
}
