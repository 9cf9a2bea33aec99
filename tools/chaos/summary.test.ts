import { describe, expect, it } from 'vitest'
import type { Verdict } from './invariants.ts'
import type { FaultCounts } from './faults.ts'
import { buildResult, runViolations, summaryLine } from './summary.ts'

const verdict: Verdict = {
  violations: [{ rule: 'charged-twice', subject: 'A', detail: '2 charges' }],
  lost: 0,
  duplicatedEffects: 1,
  stats: { orders: { DELIVERED: 3, CANCELLED: 2 }, events: 40, copies: 3, relayResends: 1, deadLetters: 0, deadLettersByReason: {} },
}
const quiet = { reached: true, at: 0, last: { backlog: 0, lag: 0, openOrders: 0 }, longestStallMs: 4040 }
const base = { kill: 5, kafka: 1, registry: 1, postgres: 1, dup: 9, scaleout: 1, upgrade: 1 }
const none = { 'broker-kill': 0, rolling: 0, 'leader-move': 0, controller: 0, 'silent-db': 0 }
const resultOf = (counts: FaultCounts, cluster: boolean, v: Verdict = verdict) => buildResult({
  run: 'r', seed: 42, profile: 'short', cluster, startedAt: new Date(0), counts, timeline: [],
  duplicatedMessages: 2, killsInCommitWindow: 1, crashes: 0, verdict: v, runViolations: [], drainSeconds: 12.34,
  quiescence: quiet, drainStallLimitSeconds: 90, responses: {},
})

describe('chaos summary', () => {
  it('prints the one line the issue asks for, with the drain\'s margin to its stall limit', () => {
    const result = resultOf({ ...base, ...none }, false)
    expect(summaryLine(result)).toBe('chaos: faults=19 (kill=5 kafka=1 registry=1 postgres=1 dup=9 scaleout=1 upgrade=1) orders=5 lost=0 duplicated_effects=1 violations=1 drain_after_last_fault=12.3s drain_longest_stall=4s/90s')
    expect(result.violationsByRule).toEqual({ 'charged-twice': 1 })
  })

  it('names the cluster\'s faults on a cluster, and dead letters by reason when there are some', () => {
    const counts = { ...base, kafka: 0, 'broker-kill': 1, rolling: 1, 'leader-move': 2, controller: 1, 'silent-db': 1 }
    const withDeadLetters = { ...verdict, stats: { ...verdict.stats, deadLetters: 3, deadLettersByReason: { 'handler failed': 2, undecodable: 1 } } }
    expect(summaryLine(resultOf(counts, true, withDeadLetters))).toBe(
      'chaos: faults=24 (kill=5 kafka=0 registry=1 postgres=1 dup=9 scaleout=1 upgrade=1 broker-kill=1 rolling=1 leader-move=2 controller=1 silent-db=1) '
      + 'orders=5 lost=0 duplicated_effects=1 violations=1 dead_letters=3 (handler failed: 2, undecodable: 1) drain_after_last_fault=12.3s drain_longest_stall=4s/90s')
  })

  it('counts a drain that never ended, and a slow one after a broker outage, as violations', () => {
    expect(runViolations(quiet, 30, { limitSeconds: 90 })).toEqual([])
    expect(runViolations(quiet, 91, { limitSeconds: 90 }).map((v) => v.rule)).toEqual(['slow-drain-after-broker-outage'])
    expect(runViolations(quiet, 91, null)).toEqual([])
    expect(runViolations({ reached: false, at: 0, last: { backlog: 2, lag: 0, openOrders: 1 }, gaveUp: 'stalled', longestStallMs: 90_000 }, 5, null)).toEqual([
      { rule: 'not-quiescent', detail: 'no progress for the stall limit: gave up with backlog 2, lag 0, open orders 1' },
    ])
  })
})
