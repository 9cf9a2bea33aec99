// The explorer under test: its server as a process on a free port, pointed at a test system's topics and databases, and Debian's chromium driven by playwright-core.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { freePort } from '@choreo/launcher'
import { mintToken } from '@choreo/platform'
import { infra, TEST_JWT_SECRET } from '@choreo/testkit'
import type { System } from '@choreo/e2e'

const ROOT = join(import.meta.dirname, '..', '..')
const READY_TIMEOUT_MS = 30_000

/** Debian's chromium (the bootstrap installs it): Playwright's own browser download cannot work on these machines. */
export async function launchChromium(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  // A fresh profile each run (Playwright passes it as --user-data-dir), and nothing that calls out of the machine.
  const profile = mkdtempSync(join(tmpdir(), 'explorer-chromium-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  })
  return {
    context,
    async close() {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    },
  }
}

export interface RunningExplorer {
  url: string
  auditFile: string
  /** A URL that logs in, as ./choreo explorer prints it. */
  loginUrl(path?: string): string
  /** What the explorer has logged so far (at info: every request). */
  output(): string
  /** Opens the login URL in the page: the session cookie is set and the token leaves the address bar. */
  login(page: Page, path?: string): Promise<void>
  stop(): Promise<void>
}

/** Starts `node explorer/src/server.ts` as ./choreo up does, with the environment ./choreo gives the tools, on this system's prefix and databases. */
export async function startExplorer(system: System): Promise<RunningExplorer> {
  const port = await freePort()
  const auditFile = join(mkdtempSync(join(tmpdir(), 'explorer-audit-')), 'audit.jsonl')
  const { sasl } = infra()
  const env = {
    PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '',
    EXPLORER_PORT: String(port), JWT_SECRET: TEST_JWT_SECRET, LOG_LEVEL: 'info', EXPLORER_AUDIT_FILE: auditFile,
    KAFKA_BROKERS: infra().brokers.join(','), SCHEMA_REGISTRY_URL: infra().registryUrl, TOPIC_PREFIX: system.prefix,
    ...(sasl ? { KAFKA_SASL_MECHANISM: sasl.mechanism, KAFKA_SASL_USERNAME: sasl.username, KAFKA_SASL_PASSWORD: sasl.password } : {}),
    ORDER_DATABASE_URL: system.databases.order.url, STOCK_DATABASE_URL: system.databases.stock.url, PAYMENT_DATABASE_URL: system.databases.payment.url,
  }
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, 'explorer', 'src', 'server.ts')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => { output += chunk.toString() })
  // Warnings and errors still reach the test's output as they come.
  child.stderr?.on('data', (chunk: Buffer) => { output += chunk.toString(); process.stderr.write(chunk) })
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + READY_TIMEOUT_MS
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the explorer exited with ${child.exitCode} while starting`)
    if (await fetch(`${url}/health`).then((r) => r.ok, () => false)) break
    if (Date.now() > deadline) throw new Error(`the explorer did not answer on ${url} within ${READY_TIMEOUT_MS} ms`)
    await new Promise((r) => setTimeout(r, 200))
  }
  const loginUrl = (path = '/') => `${url}${path}${path.includes('?') ? '&' : '?'}token=${mintToken({ sub: 'test-admin', role: 'admin' }, TEST_JWT_SECRET, 600)}`
  return {
    url, auditFile, loginUrl,
    output: () => output,
    async login(page, path = '/') {
      await page.goto(loginUrl(path))
    },
    async stop() {
      if (child.exitCode !== null) return
      const exited = new Promise((r) => child.once('exit', r))
      child.kill('SIGTERM')
      await exited
    },
  }
}
