import { describe, expect, it } from 'vitest'
import { awaitQuiescence, type DrainState } from './quiescence.ts'

/** Drives awaitQuiescence on a fake clock: one measurement per poll (a second apart). */
async function drain(states: (t: number) => DrainState, limits = { stallMs: 10_000, timeoutMs: 100_000 }) {
  let t = 0
  return awaitQuiescence({
    measure: async () => states(t),
    deliver: async () => 0,
    ...limits,
    log: () => {},
    now: () => t,
    pause: async (ms) => { t += ms },
  })
}

const state = (backlog: number, lag: number, openOrders: number): DrainState => ({ backlog, lag, openOrders })

describe('the drain', () => {
  it('waits as long as it progresses, however long that is, and reports its longest stall', async () => {
    // 60 s of slow progress (an order ends every 5 s), far past the 10 s stall limit in all.
    const q = await drain((t) => state(0, 0, Math.max(0, 12 - Math.floor(t / 5000))))
    expect(q).toMatchObject({ reached: true, at: 60_000, longestStallMs: 4000 })
  })

  it('gives up after the stall limit without progress', async () => {
    // The backlog falls to 5 at t = 5 s, then nothing moves: given up 10 s later.
    const q = await drain((t) => state(t < 5000 ? 10 - t / 1000 : 5, 0, 3))
    expect(q).toMatchObject({ reached: false, gaveUp: 'stalled', at: 15_000, longestStallMs: 10_000 })
  })

  it('does not take a count that rises and falls again for progress (a relay re-sending for ever)', async () => {
    const q = await drain((t) => state(3, (t / 1000) % 4, 2))
    expect(q).toMatchObject({ reached: false, gaveUp: 'stalled' })
  })

  it('gives up at the overall limit even while it progresses', async () => {
    const q = await drain((t) => state(1_000_000 - t, 0, 1), { stallMs: 10_000, timeoutMs: 30_000 })
    expect(q).toMatchObject({ reached: false, gaveUp: 'timed-out', at: 30_000 })
  })
})
