import { describe, expect, it } from 'vitest'
import { parkedOf, parseParkedRef } from './parked-rows.ts'

describe('parked outbox rows as the tools name them', () => {
  it('names a row by its service and id, and reads that name back', () => {
    const row = { id: '42', eventId: 'e', eventType: 'StockReserved', key: 'o-1', topic: 'stock.events', createdAt: new Date(0), parkedAt: new Date(0), reason: 'r', waiting: 0 }
    const parked = parkedOf('stock-service', row)
    expect(parked.ref).toBe('stock-service:outbox:42')
    expect(parseParkedRef(parked.ref)).toEqual({ service: 'stock-service', id: '42' })
  })

  it('reads nothing else as one: a dead letter\'s id, an unknown service, an id that is not a number', () => {
    for (const ref of ['payment-service.dlt:0:12', 'shop-service:outbox:1', 'stock-service:outbox:x', 'stock-service:outbox:']) {
      expect(parseParkedRef(ref), ref).toBeUndefined()
    }
  })
})
