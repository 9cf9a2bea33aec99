import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { freePort } from '@choreo/launcher'
import type { Instance, Service } from './plan.ts'
import { createSupervisor, type Supervisor } from './supervisor.ts'

// Real child processes: two "builds", each a stand-in order-service that answers /health and
// says which build it is. What is checked is the supervisor's own bookkeeping of them.
const dir = mkdtempSync(join(tmpdir(), 'supervisor-'))
function build(name: string): string {
  const root = join(dir, name)
  mkdirSync(join(root, 'order-service', 'src'), { recursive: true })
  writeFileSync(join(root, 'order-service', 'src', 'server.ts'), `
import { createServer } from 'node:http'
createServer((req, res) => { res.end(req.url === '/pid' ? String(process.pid) : ${JSON.stringify(name)}) }).listen(Number(process.env.PORT), '127.0.0.1')
process.on('SIGTERM', () => process.exit(0))
`)
  return root
}
const older = build('older')
const newer = build('newer')
afterAll(() => rmSync(dir, { recursive: true, force: true }))

// Every test's supervisor stops what it started, also when the test failed midway: a stand-in left
// running would hold its port for the next test.
const started: Supervisor[] = []
afterEach(async () => { await Promise.all(started.splice(0).map((s) => s.stopAll())) })

async function harness() {
  const port = await freePort(4900)
  const log: string[] = []
  const supervisor = createSupervisor({ root: older, logDir: dir, portOf: () => port, envOf: () => ({ PORT: String(port) }), log: (m) => log.push(m) })
  started.push(supervisor)
  const which = async () => (await fetch(`http://127.0.0.1:${port}/health`)).text()
  const pid = async () => Number(await (await fetch(`http://127.0.0.1:${port}/pid`)).text())
  return { supervisor, which, pid, log }
}
const order: Service = 'order-service'
const one: Instance = 1

describe('the chaos supervisor', () => {
  it('starts an instance\'s next process from the build set for it, leaving the running one alone', async () => {
    const { supervisor, which } = await harness()
    expect(await supervisor.start(order, one)).toBe(true)
    supervisor.setBuild(order, one, newer)
    expect(await which()).toBe('older')
    await supervisor.stop(order, one)
    await supervisor.start(order, one)
    expect(await which()).toBe('newer')
    await supervisor.stopAll()
  })

  it('keeps a killed instance desired (its fault starts it again) and a stopped one not', async () => {
    const { supervisor } = await harness()
    await supervisor.start(order, one)
    await supervisor.kill(order, one)
    expect([supervisor.isWanted(order, one), supervisor.isDesired(order, one)]).toEqual([false, true])
    await supervisor.start(order, one)
    await supervisor.stop(order, one)
    expect([supervisor.isWanted(order, one), supervisor.isDesired(order, one)]).toEqual([false, false])
  })

  it('lets an instance\'s exclusive operations take turns: a kill waits for a restart to finish', async () => {
    const { supervisor, which } = await harness()
    await supervisor.start(order, one)
    const steps: string[] = []
    const restart = supervisor.exclusive(order, one, async () => {
      supervisor.setBuild(order, one, newer)
      await supervisor.stop(order, one)
      await sleep(300)
      await supervisor.start(order, one)
      steps.push(`restarted on ${await which()}`)
    })
    const kill = supervisor.exclusive(order, one, async () => { steps.push(`killed: ${await supervisor.kill(order, one)}`) })
    await Promise.all([restart, kill])
    expect(steps).toEqual(['restarted on newer', 'killed: true'])
    await supervisor.stopAll()
  })

  it('records when a process of the service last started or ended', async () => {
    const { supervisor } = await harness()
    const before = Date.now()
    await supervisor.start(order, one)
    expect(supervisor.lastChange(order)).toEqual({ at: expect.any(Number), what: 'order-service-1 started' })
    await supervisor.kill(order, one)
    expect(supervisor.lastChange(order)?.what).toBe('order-service-1 ended')
    expect(supervisor.lastChange(order)!.at).toBeGreaterThanOrEqual(before)
    expect(supervisor.lastChange('stock-service')).toBeNull()
  })

  it('leaves an instance that died on its own to its crash-loop restart when a kill finds it not running', async () => {
    const { supervisor, pid, log } = await harness()
    await supervisor.start(order, one)
    const first = await pid()
    process.kill(first, 'SIGKILL')
    while (supervisor.isUp(order, one)) await sleep(10)
    expect(await supervisor.kill(order, one)).toBe(false)
    // Restarted after the first crash's 1 s back-off.
    let next = 0
    for (const until = Date.now() + 5000; Date.now() < until && !next;) next = await pid().catch(() => 0) || (await sleep(100), 0)
    expect(next).toBeGreaterThan(0)
    expect(next).not.toBe(first)
    expect(log.some((m) => m.includes('exited on its own'))).toBe(true)
    await supervisor.stopAll()
  })
})
