/** Wall-clock milliseconds since the epoch with sub-millisecond resolution, comparable across processes. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now()
}

const TICK_MS = 5

/**
 * Open-loop load: starts `rate` operations per second for `seconds`, on schedule whether or not
 * earlier ones have finished (a closed loop would slow down with the system and hide its
 * latency). Resolves when every operation started has settled; returns how many failed.
 */
export async function openLoop(opts: { rate: number; seconds: number; operation: (i: number) => Promise<void> }): Promise<{ started: number; failed: number }> {
  const total = Math.round(opts.rate * opts.seconds)
  const inFlight = new Set<Promise<void>>()
  let started = 0
  let failed = 0
  const begin = performance.now()
  while (started < total) {
    const due = Math.min(total, Math.floor(((performance.now() - begin) / 1000) * opts.rate) + 1)
    for (; started < due; started++) {
      const op = opts.operation(started).catch(() => { failed++ }).finally(() => inFlight.delete(op))
      inFlight.add(op)
    }
    await new Promise((r) => setTimeout(r, TICK_MS))
  }
  await Promise.all(inFlight)
  return { started, failed }
}
