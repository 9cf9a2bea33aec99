import { describe, expect, it } from 'vitest'
import { handledBeyondCommit } from './commit-window.ts'

describe('handled but uncommitted', () => {
  it('counts inbox rows at or past the committed offset of their partition', () => {
    const committed = new Map([['t:0', 10n], ['t:1', 5n]])
    const rows = [
      { topic: 't', partition: 0, offset: '9' }, // committed
      { topic: 't', partition: 0, offset: '10' }, // handled, offset not committed yet
      { topic: 't', partition: 1, offset: '7' },
      { topic: 't', partition: 2, offset: '0' }, // a partition the group never committed
    ]
    expect(handledBeyondCommit(rows, committed)).toBe(3)
    expect(handledBeyondCommit(rows.slice(0, 1), committed)).toBe(0)
  })
})
