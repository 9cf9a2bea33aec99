// A run's result.json and its one summary line, with the rules about the run itself (it drained, fast enough after a broker outage).
import type { FaultCounts, FaultEvent, FaultTrouble } from './faults.ts'
import type { Verdict, Violation } from './invariants.ts'
import { BASE_FAULT_KINDS, CLUSTER_FAULT_KINDS, FAULT_KINDS } from './plan.ts'
import type { Quiescence } from './quiescence.ts'
import type { UpgradeTrouble } from './upgrade-verdict.ts'

/**
 * A rule about the run rather than the data: it drained, fast enough after a broker outage; the
 * cluster healed after each node fault and sagas flowed through it; a silenced service recovered;
 * a rolling upgrade lost no field.
 */
export interface RunViolation {
  rule: 'not-quiescent' | 'slow-drain-after-broker-outage' | FaultTrouble['rule'] | UpgradeTrouble['rule']
  detail: string
}

/** Details kept in result.json: enough to investigate, not the whole run. */
const MAX_DETAILS = 200

export interface RunResult {
  run: string
  seed: number
  profile: string
  startedAt: string
  finishedAt: string
  /** Three Kafka nodes: the cluster's faults were planned. */
  cluster: boolean
  faults: FaultCounts & { total: number }
  duplicatedMessages: number
  killsInCommitWindow: number
  /** Service exits the run did not cause (crash-loops while PostgreSQL or the registry was away). */
  crashes: number
  orders: number
  ordersByStatus: Record<string, number>
  lost: number
  duplicatedEffects: number
  violations: number
  violationsByRule: Record<string, number>
  violationDetails: (Violation | RunViolation)[]
  drainAfterLastFaultSeconds: number
  /** The longest time the drain went without progress, and the limit it had: their gap is the margin. */
  drainLongestStallSeconds: number
  drainStallLimitSeconds: number
  quiescent: boolean
  events: { onTopics: number; copies: number; relayResends: number; deadLetters: number; deadLettersByReason: Record<string, number> }
  responses: Record<string, Record<string, number>>
  timeline: FaultEvent[]
}

/** The run-level checks: quiescence reached, and within the limit after a broker outage. */
export function runViolations(quiescence: Quiescence, drainSeconds: number, brokerOutage: { limitSeconds: number } | null): RunViolation[] {
  const out: RunViolation[] = []
  if (!quiescence.reached) {
    const s = quiescence.last
    const why = quiescence.gaveUp === 'stalled' ? 'no progress for the stall limit' : 'the overall limit passed'
    out.push({ rule: 'not-quiescent', detail: `${why}: ${s ? `gave up with backlog ${s.backlog}, lag ${s.lag}, open orders ${s.openOrders}` : 'could not measure'}` })
  }
  if (brokerOutage && drainSeconds > brokerOutage.limitSeconds) {
    out.push({ rule: 'slow-drain-after-broker-outage', detail: `${drainSeconds.toFixed(1)}s after the broker came back, limit ${brokerOutage.limitSeconds}s` })
  }
  return out
}

export function buildResult(input: {
  run: string
  seed: number
  profile: string
  cluster: boolean
  startedAt: Date
  counts: FaultCounts
  timeline: FaultEvent[]
  duplicatedMessages: number
  killsInCommitWindow: number
  crashes: number
  verdict: Verdict
  runViolations: RunViolation[]
  drainSeconds: number
  quiescence: Quiescence
  drainStallLimitSeconds: number
  responses: Record<string, Record<string, number>>
}): RunResult {
  const { verdict } = input
  const all: (Violation | RunViolation)[] = [...input.runViolations, ...verdict.violations]
  const byRule: Record<string, number> = {}
  for (const v of all) byRule[v.rule] = (byRule[v.rule] ?? 0) + 1
  return {
    run: input.run,
    seed: input.seed,
    profile: input.profile,
    cluster: input.cluster,
    startedAt: input.startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    faults: { ...input.counts, total: FAULT_KINDS.reduce((n, k) => n + input.counts[k], 0) },
    duplicatedMessages: input.duplicatedMessages,
    killsInCommitWindow: input.killsInCommitWindow,
    crashes: input.crashes,
    orders: Object.values(verdict.stats.orders).reduce((a, b) => a + b, 0),
    ordersByStatus: verdict.stats.orders,
    lost: verdict.lost,
    duplicatedEffects: verdict.duplicatedEffects,
    violations: all.length,
    violationsByRule: byRule,
    violationDetails: all.slice(0, MAX_DETAILS),
    drainAfterLastFaultSeconds: Math.round(input.drainSeconds * 10) / 10,
    drainLongestStallSeconds: Math.round(input.quiescence.longestStallMs / 100) / 10,
    drainStallLimitSeconds: input.drainStallLimitSeconds,
    quiescent: input.quiescence.reached,
    events: {
      onTopics: verdict.stats.events, copies: verdict.stats.copies, relayResends: verdict.stats.relayResends,
      deadLetters: verdict.stats.deadLetters, deadLettersByReason: verdict.stats.deadLettersByReason,
    },
    responses: input.responses,
    timeline: input.timeline,
  }
}

/** The one line a run prints: the cluster's fault kinds only on a cluster, dead letters only when there are some. */
export function summaryLine(r: RunResult): string {
  const kinds = [...BASE_FAULT_KINDS, ...(r.cluster ? CLUSTER_FAULT_KINDS : [])].map((k) => `${k}=${r.faults[k]}`).join(' ')
  const reasons = Object.entries(r.events.deadLettersByReason).map(([reason, n]) => `${reason}: ${n}`).join(', ')
  return `chaos: faults=${r.faults.total} (${kinds}) orders=${r.orders} lost=${r.lost} duplicated_effects=${r.duplicatedEffects} `
    + `violations=${r.violations}${r.events.deadLetters > 0 ? ` dead_letters=${r.events.deadLetters} (${reasons})` : ''} `
    + `drain_after_last_fault=${r.drainAfterLastFaultSeconds}s drain_longest_stall=${r.drainLongestStallSeconds}s/${r.drainStallLimitSeconds}s`
}
