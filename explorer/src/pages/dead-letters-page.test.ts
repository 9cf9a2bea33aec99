// The dead letters page groups letters by their failure's fingerprint: event type, reason, and the error's shape.
import { describe, expect, it } from 'vitest'
import type { RawMessage } from '@choreo/messaging/operations'
import { deadLettersPage, errorShape, type ShownLetter } from './dead-letters-page.ts'

function letter(offset: number, eventType: string, error: string): ShownLetter {
  const orderId = `0000000${offset}-aaaa-4bbb-8ccc-dddddddddddd`
  return {
    letter: {
      id: `payment-service.dlt:0:${offset}`, group: 'payment-service', reason: 'refused: charge-of-unplaced-order', error, at: '2026-12-07T16:00:00.000Z',
      original: { topic: 'stock.events', partition: 0, offset }, key: orderId, eventId: null, eventType,
      message: { topic: 'payment-service.dlt', partition: 0, offset: String(offset), key: orderId, value: null, headers: {}, timestamp: '0' } as unknown as RawMessage,
    },
    handledAt: null,
    decoded: { key: orderId, headers: {}, error: 'not decoded in this test' },
  }
}

const groupsIn = (page: string): string[] => [...page.matchAll(/<h2>(.*?) <small>/g)].map((m) => m[1]!)

describe('the dead letters page', () => {
  it('puts letters of one failure in one group though their errors name other orders and offsets, and another failure in its own', () => {
    const letters = [
      letter(1, 'StockReserved', 'StockReserved for order 00000001-aaaa-4bbb-8ccc-dddddddddddd at offset 41: never placed'),
      letter(2, 'StockReserved', 'StockReserved for order 00000002-aaaa-4bbb-8ccc-dddddddddddd at offset 97: never placed'),
      letter(3, 'StockReserved', 'StockReserved names customer bob, the order is ada\'s'),
    ]
    const groups = groupsIn(deadLettersPage(letters, [], [], false).value)
    expect(groups).toHaveLength(2)
    expect(groups[0]).toContain('StockReserved for order &lt;id&gt; at offset &lt;n&gt;: never placed')
  })

  it('shapes an error by taking out its ids and numbers', () => {
    expect(errorShape('order 0b8a3c2e-1f0d-4c6b-9a57-3f1e2d4c5b6a: 3 of 12 units')).toBe('order <id>: <n> of <n> units')
  })
})
