import { describe, expect, it } from 'vitest'
import type { Verdict } from './invariants.ts'
import { buildResult, runViolations, summaryLine } from './summary.ts'

const verdict: Verdict = {
  violations: [{ rule: 'charged-twice', subject: 'A', detail: '2 charges' }],
  lost: 0,
  duplicatedEffects: 1,
  stats: { orders: { DELIVERED: 3, CANCELLED: 2 }, events: 40, copies: 3, relayResends: 1, deadLetters: 0 },
}
const quiet = { reached: true, at: 0, last: { backlog: 0, lag: 0, openOrders: 0 } }

describe('chaos summary', () => {
  it('prints the one line the issue asks for', () => {
    const result = buildResult({
      run: 'r', seed: 42, profile: 'short', startedAt: new Date(0),
      counts: { kill: 5, kafka: 1, registry: 1, postgres: 1, dup: 9, scaleout: 1 }, timeline: [],
      duplicatedMessages: 2, killsInCommitWindow: 1, crashes: 0, verdict, runViolations: [], drainSeconds: 12.34, quiescent: true, responses: {},
    })
    expect(summaryLine(result)).toBe('chaos: faults=18 (kill=5 kafka=1 registry=1 postgres=1 dup=9 scaleout=1) orders=5 lost=0 duplicated_effects=1 violations=1 drain_after_last_fault=12.3s')
    expect(result.violationsByRule).toEqual({ 'charged-twice': 1 })
  })

  it('counts a drain that never ended, and a slow one after a broker outage, as violations', () => {
    expect(runViolations(quiet, 30, { limitSeconds: 90 })).toEqual([])
    expect(runViolations(quiet, 91, { limitSeconds: 90 }).map((v) => v.rule)).toEqual(['slow-drain-after-broker-outage'])
    expect(runViolations(quiet, 91, null)).toEqual([])
    expect(runViolations({ reached: false, at: 0, last: { backlog: 2, lag: 0, openOrders: 1 } }, 5, null)).toEqual([
      { rule: 'not-quiescent', detail: 'gave up with backlog 2, lag 0, open orders 1' },
    ])
  })
})
