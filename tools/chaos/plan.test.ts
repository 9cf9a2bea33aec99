import { describe, expect, it } from 'vitest'
import { CLUSTER_FAULT_KINDS, laneOf, planFaults, type PlannedFault } from './plan.ts'
import { longProfile, onNodes, shortProfile } from './profile.ts'
import { createRandom } from './random.ts'

const count = (plan: PlannedFault[], kind: PlannedFault['kind']) => plan.filter((f) => f.kind === kind).length

describe('fault plan', () => {
  it('is the same for the same seed', () => {
    expect(planFaults(shortProfile, createRandom(42))).toEqual(planFaults(shortProfile, createRandom(42)))
    expect(planFaults(shortProfile, createRandom(42))).not.toEqual(planFaults(shortProfile, createRandom(43)))
  })

  it('gives the short run one restart of Kafka, the registry and PostgreSQL, one scale-out, a kill of every service and several duplicates', () => {
    for (let seed = 0; seed < 20; seed++) {
      const plan = planFaults(shortProfile, createRandom(seed))
      expect([count(plan, 'kafka'), count(plan, 'registry'), count(plan, 'postgres'), count(plan, 'scaleout')]).toEqual([1, 1, 1, 1])
      expect(new Set(plan.flatMap((f) => (f.kind === 'kill' ? [f.service] : [])))).toEqual(new Set(['order-service', 'stock-service', 'payment-service']))
      expect(count(plan, 'dup')).toBeGreaterThan(4)
    }
  })

  it('upgrades the short run once to the newer build and the long one newer, older, newer, in the scale-out lane', () => {
    for (let seed = 0; seed < 10; seed++) {
      const short = planFaults(shortProfile, createRandom(seed)).filter((f) => f.kind === 'upgrade')
      expect(short.map((f) => f.to)).toEqual(['newer'])
      const long = planFaults(longProfile(30, 0), createRandom(seed)).filter((f) => f.kind === 'upgrade')
      expect(long.map((f) => f.to)).toEqual(['newer', 'older', 'newer'])
      for (const f of [...short, ...long]) expect(laneOf(f)).toBe('scale')
      // Begun by 60% of the load, so the newer build runs under load afterwards.
      for (const f of long) expect(f.at).toBeLessThan(0.6 * 1800)
    }
  })

  it('leaves a killed service time to rejoin its group before it is killed again', () => {
    const plan = planFaults(longProfile(30, 0), createRandom(9))
    for (const service of ['order-service', 'stock-service', 'payment-service']) {
      const moments = plan.flatMap((f) => (f.kind === 'kill' && f.service === service ? [f.at] : []))
      expect(moments.length).toBeGreaterThan(10)
      for (let i = 1; i < moments.length; i++) expect(moments[i]! - moments[i - 1]!).toBeGreaterThanOrEqual(40)
    }
  })

  it('keeps every fault inside the load, in time order', () => {
    const plan = planFaults(longProfile(10, 0), createRandom(3))
    expect(plan.map((f) => f.at)).toEqual([...plan.map((f) => f.at)].sort((a, b) => a - b))
    for (const f of plan) expect(f.at > 0 && f.at < 600).toBe(true)
  })

  it('kills a second instance only while its scale-out window is open', () => {
    let secondInstanceKills = 0
    for (let seed = 0; seed < 20; seed++) {
      const plan = planFaults(longProfile(10, 0), createRandom(seed))
      const windows = plan.flatMap((f) => (f.kind === 'scaleout' ? [[f.at, f.at + f.forSeconds] as const] : []))
      for (const f of plan) {
        if (f.kind !== 'kill' || f.instance !== 2) continue
        secondInstanceKills++
        expect(windows.some(([from, to]) => f.at > from && f.at + f.downSeconds < to)).toBe(true)
      }
    }
    expect(secondInstanceKills, 'second-instance kills planned over 20 seeds').toBeGreaterThan(0)
  })

  it('gives each service its own kill lane and the infrastructure one lane', () => {
    const plan = planFaults(longProfile(10, 0), createRandom(5))
    expect(new Set(plan.map(laneOf))).toEqual(new Set(['kill-order-service', 'kill-stock-service', 'kill-payment-service', 'dup', 'scale', 'infra']))
  })

  it('plans nothing of the cluster\'s on one node: the same plan as before cluster mode existed', () => {
    for (const profile of [shortProfile, longProfile(30, 0)]) {
      expect(onNodes(profile, 1)).toBe(profile)
      const plan = planFaults(profile, createRandom(7))
      for (const kind of CLUSTER_FAULT_KINDS) expect(count(plan, kind)).toBe(0)
    }
  })

  it('gives the short cluster run about one of each cluster fault, and no whole-cluster restart', () => {
    for (let seed = 0; seed < 20; seed++) {
      const plan = planFaults(onNodes(shortProfile, 3), createRandom(seed))
      expect([count(plan, 'broker-kill'), count(plan, 'rolling'), count(plan, 'controller'), count(plan, 'silent-db')]).toEqual([1, 1, 1, 1])
      expect(count(plan, 'leader-move')).toBe(2)
      expect([count(plan, 'kafka'), count(plan, 'registry'), count(plan, 'postgres')]).toEqual([0, 1, 1])
    }
  })

  it('gives 30 cluster minutes ≥ 30 broker kills, ≥ 5 rolling restarts, ≥ 30 leader moves and ≥ 1,000 faults in all', () => {
    const profile = onNodes(longProfile(30, 0), 3)
    const plan = planFaults(profile, createRandom(2026))
    expect(count(plan, 'broker-kill')).toBeGreaterThanOrEqual(30)
    expect(count(plan, 'rolling')).toBeGreaterThanOrEqual(5)
    expect(count(plan, 'leader-move')).toBeGreaterThanOrEqual(30)
    expect(count(plan, 'controller')).toBeGreaterThanOrEqual(3)
    expect(count(plan, 'silent-db')).toBeGreaterThanOrEqual(5)
    expect(plan.length).toBeGreaterThanOrEqual(1000)
    const nodes = new Set(plan.flatMap((f) => (f.kind === 'broker-kill' ? [f.node] : [])))
    expect(nodes).toEqual(new Set([1, 2, 3]))
    for (const f of plan) expect(f.at > 0 && f.at < profile.loadSeconds).toBe(true)
  })

  it('puts node faults in one lane, leader moves in one of their own, silent connections with the shared stack restarts', () => {
    const plan = planFaults(onNodes(longProfile(10, 0), 3), createRandom(5))
    const lanes = new Map(plan.map((f) => [f.kind, laneOf(f)]))
    expect([lanes.get('broker-kill'), lanes.get('rolling'), lanes.get('controller')]).toEqual(['brokers', 'brokers', 'brokers'])
    expect([lanes.get('leader-move'), lanes.get('silent-db'), lanes.get('kafka')]).toEqual(['leaders', 'infra', 'infra'])
  })
})
