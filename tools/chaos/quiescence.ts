// The drain after the load: waits while it progresses until outboxes, consumer lag and open orders are all zero, or says why it gave up.
import { setTimeout as sleep } from 'node:timers/promises'

/** What is still moving: 0 everywhere is quiescence. */
export interface DrainState {
  /** Outbox rows not yet published, in all three databases. */
  backlog: number
  /** Messages the consumer groups have not committed past. */
  lag: number
  /** Orders not in a terminal status. */
  openOrders: number
}

export interface Quiescence {
  reached: boolean
  /** When it was first seen (epoch ms), or when waiting gave up. */
  at: number
  last: DrainState | null
  /** Why waiting gave up: no progress for the stall limit, or the overall limit passed. */
  gaveUp?: 'stalled' | 'timed-out'
  /** The longest time without progress while draining (ms): its margin to the stall limit is the drain's slack. */
  longestStallMs: number
}

const POLL_MS = 1000
/** Polls in a row that must find nothing moving: one could fall between a commit and its wake-up. */
const CONFIRMATIONS = 2

const isQuiet = (s: DrainState): boolean => s.backlog === 0 && s.lag === 0 && s.openOrders === 0

/**
 * Progress is a new low of any of the three counts. A low, not a decrease: a relay re-sending the
 * same rows for ever makes the lag rise and fall, and the committed offsets advance, without
 * ever getting anything done; each count can reach a new low only finitely often.
 */
function createProgress(): { update(s: DrainState): boolean } {
  let low: DrainState | null = null
  return {
    update(s) {
      if (low === null) {
        low = { ...s }
        return true
      }
      let progressed = false
      for (const k of ['backlog', 'lag', 'openOrders'] as const) {
        if (s[k] < low[k]) {
          low[k] = s[k]
          progressed = true
        }
      }
      return progressed
    },
  }
}

/**
 * Waits until no outbox holds a row, every consumer group has caught up and every order is
 * terminal, delivering shipments as they appear (a SHIPPED order ends only when delivered).
 * It waits as long as the drain makes progress, so a slower machine or a bigger backlog only
 * takes longer; it gives up after `stallMs` without progress, or after `timeoutMs` in all.
 */
export async function awaitQuiescence(deps: {
  measure(): Promise<DrainState>
  deliver(): Promise<number>
  stallMs: number
  timeoutMs: number
  log(message: string): void
  now?: () => number
  pause?: (ms: number) => Promise<unknown>
}): Promise<Quiescence> {
  const now = deps.now ?? Date.now
  const pause = deps.pause ?? sleep
  const began = now()
  const progress = createProgress()
  let lastProgress = began
  let longestStallMs = 0
  let last: DrainState | null
  let quietSince: number | null = null
  let quietPolls = 0
  let lastLog = 0
  for (;;) {
    await deps.deliver()
    try {
      last = await deps.measure()
    } catch {
      last = null // PostgreSQL or Kafka still coming back
    }
    const t = now()
    if (last && progress.update(last)) lastProgress = t
    longestStallMs = Math.max(longestStallMs, t - lastProgress)
    if (last && isQuiet(last)) {
      quietSince ??= t
      if (++quietPolls >= CONFIRMATIONS) return { reached: true, at: quietSince, last, longestStallMs }
    } else {
      quietSince = null
      quietPolls = 0
    }
    if (t - lastProgress >= deps.stallMs) return { reached: false, at: t, last, gaveUp: 'stalled', longestStallMs }
    if (t - began >= deps.timeoutMs) return { reached: false, at: t, last, gaveUp: 'timed-out', longestStallMs }
    if (t - lastLog > 10_000) {
      lastLog = t
      deps.log(`draining: ${last ? `backlog ${last.backlog}, lag ${last.lag}, open orders ${last.openOrders}` : 'not measurable yet'}`)
    }
    await pause(POLL_MS)
  }
}
