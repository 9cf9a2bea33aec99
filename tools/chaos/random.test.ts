import { describe, expect, it } from 'vitest'
import { createRandom } from './random.ts'

describe('seeded random', () => {
  it('draws the same sequence from the same seed, another from another', () => {
    const draw = (seed: number) => { const r = createRandom(seed); return Array.from({ length: 5 }, () => r.next()) }
    expect(draw(42)).toEqual(draw(42))
    expect(draw(42)).not.toEqual(draw(43))
  })

  it('gives a fork the same stream whatever the parent drew before', () => {
    const a = createRandom(7)
    const b = createRandom(7)
    for (let i = 0; i < 10; i++) b.next()
    expect(a.fork('worker-1').next()).toBe(b.fork('worker-1').next())
    expect(a.fork('worker-1').next()).not.toBe(a.fork('worker-2').next())
  })

  it('keeps int, between and pick within their bounds', () => {
    const r = createRandom(1)
    for (let i = 0; i < 1000; i++) {
      expect(r.int(2, 4)).toBeGreaterThanOrEqual(2)
      expect(r.int(2, 4)).toBeLessThanOrEqual(4)
      const x = r.between(0.5, 1.5)
      expect(x >= 0.5 && x < 1.5).toBe(true)
      expect(['a', 'b']).toContain(r.pick(['a', 'b']))
    }
    expect(new Set(Array.from({ length: 200 }, () => r.int(1, 3)))).toEqual(new Set([1, 2, 3]))
  })
})
