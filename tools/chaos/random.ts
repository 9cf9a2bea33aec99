/**
 * A seeded pseudo-random source (mulberry32), so a chaos run with the same seed makes the same
 * choices: which orders, which faults, when. Timing still varies from run to run.
 */
export interface Random {
  /** A float in [0, 1). */
  next(): number
  /** An integer in [min, max], both included. */
  int(min: number, max: number): number
  /** A float in [min, max). */
  between(min: number, max: number): number
  chance(probability: number): boolean
  pick<T>(items: readonly T[]): T
  /** An exponentially distributed delay with this mean: faults at random moments, not a metronome. */
  exponential(mean: number): number
  /** An independent stream for one consumer (a worker, a fault lane), whatever the others draw. */
  fork(label: string): Random
}

export function createRandom(seed: number): Random {
  let state = seed >>> 0
  function next(): number {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    between: (min, max) => min + next() * (max - min),
    chance: (probability) => next() < probability,
    pick<T>(items: readonly T[]): T {
      if (items.length === 0) throw new RangeError('pick from an empty list')
      return items[Math.floor(next() * items.length)] as T
    },
    exponential: (mean) => -mean * Math.log(1 - next()),
    fork: (label) => createRandom(hash(`${seed}/${label}`)),
  }
}

/** FNV-1a: a stable 32-bit hash, so a fork's seed depends only on the seed and the label. */
function hash(text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}
