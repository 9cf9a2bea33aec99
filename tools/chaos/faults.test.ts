import { describe, expect, it } from 'vitest'
import { setTimeout as sleep } from 'node:timers/promises'
import { coordinatorPartition } from './cluster-faults.ts'
import { createFaultInjector } from './faults.ts'
import type { Instance, PlannedFault, Service } from './plan.ts'
import type { SilentDb } from './silent-db.ts'
import type { PartitionState, StackControl } from './stack-control.ts'
import type { Supervisor } from './supervisor.ts'

// The injector's scheduling only: which fault waits for what. The stack, the services and the
// database proxies are stand-ins that record what the injector asked of them.

const groupOf = { 'order-service': 'g-order', 'stock-service': 'g-stock', 'payment-service': 'g-payment' } as const

function harness(opts: { unhealthyUntil?: number; silenced?: (service: Service, instance: Instance) => boolean; flowing?: boolean; partitions?: PartitionState[] } = {}) {
  const calls: string[] = []
  const at = (what: string) => calls.push(what)
  const supervisor = {
    isUp: () => true,
    isWanted: () => true,
    isDesired: () => true,
    exclusive: <T>(_s: Service, _i: Instance, op: () => Promise<T>) => op(),
    lastChange: () => null,
    setBuild() {},
    async kill(service: Service, instance: Instance) { at(`kill ${service}#${instance}`); return true },
    async start() { return true },
    async stop() {},
    ports: () => [],
    startedAt: () => 1,
    crashes: 0,
    async stopAll() {},
    async unhealthy() { return Date.now() < (opts.unhealthyUntil ?? 0) ? ['order-service#1'] : [] },
  } satisfies Supervisor
  const stack = {
    nodes: 3,
    async stopKafka() { at('stop kafka') },
    async startKafka() { at('start kafka') },
    async stopRegistry() {},
    async startRegistry() {},
    async restartPostgres() {},
    canRestartPostgres: false,
    async killNode(node: number) { at(`kill node ${node}`) },
    async stopNode() {},
    async startNode(node: number) { at(`start node ${node}`) },
    async partitions() { return opts.partitions ?? [{ topic: 't', partition: 0, leader: 1, replicas: [1, 2, 3], isr: [1, 2, 3] }] },
    async activeController() { return 1 },
    async reassign() {},
    async electPreferred() {},
    async electAllPreferred() { at('elect every partition') },
    assertOwnStack() {},
  } satisfies StackControl
  const silentDb = {
    urlOf: () => '',
    async silence() { return null },
    isSilenced: opts.silenced ?? (() => false),
    async close() {},
  } satisfies SilentDb
  const log: string[] = []
  const injector = createFaultInjector({
    supervisor,
    stack,
    duplicator: { inject: async () => 0 } as never,
    probeCommitWindow: async () => null,
    busy: async () => true,
    cluster: { topics: [], groupOf },
    silentDb,
    flowSince: async () => (opts.flowing === false ? { published: 0, handled: 0 } : { published: 1, handled: 1 }),
    httpTally: () => ({ requests: 0, failed: 0 }),
    log: (m) => log.push(m),
    flowWindowSeconds: 0.5,
  })
  return { injector, calls, log }
}

describe('the fault injector', () => {
  it('starts no Kafka node fault before leaders are balanced and the services healthy again after a whole-Kafka outage', async () => {
    const healthyAt = Date.now() + 1500
    const { injector, calls } = harness({ unhealthyUntil: healthyAt })
    let nodeKilledAt = 0
    const plan: PlannedFault[] = [
      { kind: 'kafka', at: 0, outageSeconds: 0 },
      { kind: 'broker-kill', at: 0.1, node: 2, downSeconds: 0 },
    ]
    const started = Date.now()
    const watching = (async () => { while (!calls.includes('kill node 2') && Date.now() - started < 10_000) await sleep(10); nodeKilledAt = Date.now() })()
    await injector.run(plan, started)
    await watching
    expect(calls.slice(0, 4)).toEqual(['stop kafka', 'start kafka', 'elect every partition', 'kill node 2'])
    expect(nodeKilledAt).toBeGreaterThanOrEqual(healthyAt)
    expect(injector.events.find((e) => e.kind === 'kafka')?.detail).toMatch(/one node led 1\/1 before a preferred election of every partition, 1\/1 after; every service healthy \d+\.\ds after/)
  }, 20_000)

  it('does not kill an instance whose database connections are being silenced, and does not count it', async () => {
    const { injector, calls, log } = harness({ silenced: (service, instance) => service === 'stock-service' && instance === 1 })
    await injector.run([
      { kind: 'kill', at: 0, service: 'stock-service', instance: 1, downSeconds: 0 },
      { kind: 'kill', at: 0, service: 'payment-service', instance: 1, downSeconds: 0 },
    ], Date.now())
    expect(calls).toEqual(['kill payment-service#1'])
    expect(injector.counts.kill).toBe(1)
    expect(log.some((m) => m.includes('stock-service#1 skipped'))).toBe(true)
  })

  it('calls a node fault during which nothing moved a violation', async () => {
    const { injector } = harness({ flowing: false })
    await injector.run([{ kind: 'broker-kill', at: 0, node: 2, downSeconds: 0.6 }], Date.now())
    expect(injector.troubles).toEqual([{ rule: 'stalled-during-broker-fault', detail: expect.stringMatching(/^broker-kill: nothing published or handled in \d/) }])
  })

  it('does not judge that stall while a shared component\'s outage overlaps it, and says so', async () => {
    const { injector } = harness({ flowing: false })
    await injector.run([
      { kind: 'registry', at: 0, outageSeconds: 0.4 },
      { kind: 'broker-kill', at: 0.1, node: 2, downSeconds: 0.6 },
    ], Date.now())
    expect(injector.troubles).toEqual([])
    expect(injector.events.find((e) => e.kind === 'broker-kill')?.detail).toMatch(/a stall not judged: registry outage/)
  })

  it('says whose group coordinator a Kafka fault took down: a broker kill only theirs, a whole-Kafka restart everyone\'s', async () => {
    // Five offsets partitions led by nodes 1, 2, 3, 1, 2: a group's coordinator is the leader of its own.
    const offsets = [0, 1, 2, 3, 4].map((partition) => ({ topic: '__consumer_offsets', partition, leader: (partition % 3) + 1, replicas: [1, 2, 3], isr: [1, 2, 3] }))
    const nodeOf = (service: Service) => (coordinatorPartition(groupOf[service], offsets.length) % 3) + 1
    const node = nodeOf('order-service')
    const { injector } = harness({ partitions: offsets })
    const before = Date.now()
    await injector.run([{ kind: 'broker-kill', at: 0, node, downSeconds: 0 }], before)
    for (const service of ['order-service', 'stock-service', 'payment-service'] as const) {
      if (nodeOf(service) === node) expect(injector.lastShake(service)).toEqual({ at: expect.any(Number), what: 'broker-kill' })
      else expect(injector.lastShake(service)).toBeNull()
    }
    expect(injector.lastShake('order-service')!.at).toBeGreaterThanOrEqual(before)
    await injector.run([{ kind: 'kafka', at: 0, outageSeconds: 0 }], Date.now())
    for (const service of ['order-service', 'stock-service', 'payment-service'] as const) expect(injector.lastShake(service)?.what).toBe('kafka')
  }, 20_000)

  it('begins a node fault once the services are healthy, so that a stall it meets is its own', async () => {
    const healthyAt = Date.now() + 1500
    const { injector, calls } = harness({ unhealthyUntil: healthyAt })
    let killedAt = 0
    const watching = (async () => { while (!calls.includes('kill node 3')) await sleep(10); killedAt = Date.now() })()
    await injector.run([{ kind: 'broker-kill', at: 0, node: 3, downSeconds: 0 }], Date.now())
    await watching
    expect(killedAt).toBeGreaterThanOrEqual(healthyAt)
  }, 20_000)
})
