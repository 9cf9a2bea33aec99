import { describe, expect, it } from 'vitest'
import { stallClockFrom } from './silent-db.ts'

describe('a silenced service\'s stall clock', () => {
  it('runs from its last progress when nothing else shakes it', () => {
    expect(stallClockFrom(1000, undefined, 5000)).toBe(1000)
    expect(stallClockFrom(1000, { underWay: false, endedAt: 500, what: 'kill' }, 5000)).toBe(1000)
  })

  it('stands while a fault that shakes its group or brokers is under way, and starts again when it ends', () => {
    expect(stallClockFrom(1000, { underWay: true, endedAt: 0, what: 'broker-kill' }, 5000)).toBe(5000)
    expect(stallClockFrom(1000, { underWay: false, endedAt: 3000, what: 'broker-kill' }, 5000)).toBe(3000)
  })
})
