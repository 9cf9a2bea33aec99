import { describe, expect, it } from 'vitest'
import { stallClockFrom } from './silent-db.ts'

describe('a silenced service\'s stall clock', () => {
  it('runs from its last progress when nothing else shook its group since', () => {
    expect(stallClockFrom(1000, null)).toBe(1000)
    expect(stallClockFrom(1000, { at: 500, what: 'order-service-2 ended' })).toBe(1000)
  })

  it('starts again from a later shake of its group: a sibling restarted, its coordinator\'s node down', () => {
    expect(stallClockFrom(1000, { at: 3000, what: 'broker-kill' })).toBe(3000)
  })
})
