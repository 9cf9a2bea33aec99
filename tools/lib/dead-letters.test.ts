import { describe, expect, it } from 'vitest'
import type { RawMessage } from '@choreo/messaging/operations'
import { deadLetterOf, parseId, redriveOf } from './dead-letters.ts'

const message: RawMessage = {
  topic: 't-1.payment-service.dlt', partition: 0, offset: 7n, timestamp: 1_000,
  key: Buffer.from('order-1'), value: Buffer.from([0, 0, 0, 0, 3, 1, 2]),
  headers: {
    'event-id': 'e-1', 'event-type': 'StockReserved', traceparent: '00-aa-bb-01',
    'dlt-reason': 'handler failed', 'dlt-error': 'error: relation "order_payments" does not exist', 'dlt-group': 't-1.payment-service',
    'dlt-topic': 't-1.stock.events', 'dlt-partition': '4', 'dlt-offset': '12', 'dlt-at': '2026-01-01T00:00:00.000Z',
  },
}

describe('dead letters', () => {
  it('reads what the consumer wrote about a message it gave up on', () => {
    expect(deadLetterOf(message)).toMatchObject({
      id: 't-1.payment-service.dlt:0:7', group: 't-1.payment-service', reason: 'handler failed', eventId: 'e-1', eventType: 'StockReserved',
      original: { topic: 't-1.stock.events', partition: 4, offset: 12 }, key: 'order-1', at: '2026-01-01T00:00:00.000Z',
    })
  })

  it('sends back the same bytes, key and headers, without the dlt-* ones, to the partition it came from', () => {
    expect(redriveOf(deadLetterOf(message))).toEqual({
      topic: 't-1.stock.events', partition: 4, key: message.key, value: message.value,
      headers: { 'event-id': 'e-1', 'event-type': 'StockReserved', traceparent: '00-aa-bb-01' },
    })
  })

  it('refuses to redrive a message that does not say where it came from', () => {
    const { 'dlt-topic': _t, ...headers } = message.headers
    expect(() => redriveOf(deadLetterOf({ ...message, headers }))).toThrow(/no dlt-topic/)
  })

  it('parses ids, whose topic names may contain dots but no colons', () => {
    expect(parseId('t-1.payment-service.dlt:0:7')).toEqual({ topic: 't-1.payment-service.dlt', partition: 0, offset: 7n })
    expect(parseId('payment-service.dlt:0')).toBeUndefined()
  })
})
