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
}

const POLL_MS = 1000
/** Polls in a row that must find nothing moving: one could fall between a commit and its wake-up. */
const CONFIRMATIONS = 2

export const isQuiet = (s: DrainState): boolean => s.backlog === 0 && s.lag === 0 && s.openOrders === 0

/**
 * Waits until no outbox holds a row, every consumer group has caught up and every order is
 * terminal, delivering shipments as they appear (a SHIPPED order ends only when delivered).
 */
export async function awaitQuiescence(deps: {
  measure(): Promise<DrainState>
  deliver(): Promise<number>
  timeoutMs: number
  log(message: string): void
}): Promise<Quiescence> {
  const deadline = Date.now() + deps.timeoutMs
  let last: DrainState | null = null
  let quietSince: number | null = null
  let quietPolls = 0
  let lastLog = 0
  while (Date.now() < deadline) {
    await deps.deliver()
    try {
      last = await deps.measure()
    } catch {
      last = null // PostgreSQL or Kafka still coming back
    }
    if (last && isQuiet(last)) {
      quietSince ??= Date.now()
      if (++quietPolls >= CONFIRMATIONS) return { reached: true, at: quietSince, last }
    } else {
      quietSince = null
      quietPolls = 0
    }
    if (Date.now() - lastLog > 10_000) {
      lastLog = Date.now()
      deps.log(`draining: ${last ? `backlog ${last.backlog}, lag ${last.lag}, open orders ${last.openOrders}` : 'not measurable yet'}`)
    }
    await sleep(POLL_MS)
  }
  return { reached: false, at: Date.now(), last }
}
