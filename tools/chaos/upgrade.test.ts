import { describe, expect, it } from 'vitest'
import type { Instance, Service } from './plan.ts'
import type { Supervisor } from './supervisor.ts'
import { createUpgrader } from './upgrade.ts'

/** A supervisor that keeps what is wanted and which build each instance runs, and logs every start and stop. */
function fakeSupervisor(wanted: Set<string>) {
  const log: string[] = []
  const builds = new Map<string, string>()
  const key = (s: Service, i: Instance) => `${s}#${i}`
  const supervisor = {
    isUp: (s: Service, i: Instance) => wanted.has(key(s, i)),
    isWanted: (s: Service, i: Instance) => wanted.has(key(s, i)),
    isDesired: (s: Service, i: Instance) => wanted.has(key(s, i)),
    exclusive: <T>(_s: Service, _i: Instance, op: () => Promise<T>) => op(),
    lastChange: () => null,
    setBuild(s: Service, i: Instance, root: string) { builds.set(key(s, i), root) },
    async start(s: Service, i: Instance) { wanted.add(key(s, i)); log.push(`start ${key(s, i)} on ${builds.get(key(s, i)) ?? '/old'}`); return true },
    async stop(s: Service, i: Instance) { wanted.delete(key(s, i)); log.push(`stop ${key(s, i)}`) },
    async kill() { return true },
    ports: () => [],
    startedAt: () => 1,
    crashes: 0,
    async stopAll() {},
    async unhealthy() { return [] },
  } satisfies Supervisor
  const buildOf = (s: Service, i: Instance) => builds.get(key(s, i)) ?? '/old'
  return { supervisor, log, buildOf }
}

const all = ['order-service#1', 'stock-service#1', 'payment-service#1']

describe('rolling upgrade', () => {
  it('starts a newer second instance beside the old one, then replaces the first, then stops the second', async () => {
    const { supervisor, log, buildOf } = fakeSupervisor(new Set(all))
    const upgrader = createUpgrader({ supervisor, builds: { older: '/old', newer: '/new' }, dwellSeconds: 0, log: () => {} })
    const detail = await upgrader.pass('newer')
    for (const s of ['order-service', 'stock-service', 'payment-service']) {
      expect(log.filter((l) => l.includes(s))).toEqual([`start ${s}#2 on /new`, `stop ${s}#1`, `start ${s}#1 on /new`, `stop ${s}#2`])
      expect(buildOf(s as Service, 1)).toBe('/new')
    }
    expect(detail).toContain('to the newer build')
  })

  it('leaves an instance a fault has down to the fault, which starts it on the new build', async () => {
    const { supervisor, log, buildOf } = fakeSupervisor(new Set(all.filter((k) => k !== 'stock-service#1')))
    const upgrader = createUpgrader({ supervisor, builds: { older: '/old', newer: '/new' }, dwellSeconds: 0, log: () => {} })
    await upgrader.pass('newer')
    expect(log.filter((l) => l.includes('stock-service'))).toEqual(['start stock-service#2 on /new', 'stop stock-service#2'])
    expect(buildOf('stock-service', 1)).toBe('/new')
  })

  it('waits for a silenced instance to recover before restarting it', async () => {
    const { supervisor, log } = fakeSupervisor(new Set(all))
    const silencedUntil = Date.now() + 700
    const upgrader = createUpgrader({
      supervisor, builds: { older: '/old', newer: '/new' }, dwellSeconds: 0, log: () => {},
      isSilenced: (s, i) => s === 'payment-service' && i === 1 && Date.now() < silencedUntil,
    })
    const stopped: number[] = []
    const stop = supervisor.stop.bind(supervisor)
    supervisor.stop = async (s, i) => { if (s === 'payment-service' && i === 1) stopped.push(Date.now()); await stop(s, i) }
    await upgrader.pass('older')
    expect(stopped[0]).toBeGreaterThanOrEqual(silencedUntil)
    expect(log).toContain('start payment-service#1 on /old')
  })
})
