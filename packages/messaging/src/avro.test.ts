import { describe, expect, it } from 'vitest'
import { createEventCodec, subjectOf } from './avro.ts'
import { InvalidEvent, UndecodableMessage } from './errors.ts'

// No registry is contacted by these: validation is local, and decoding fails on the header.
const codec = createEventCodec({ registryUrl: 'http://127.0.0.1:1/unused' })

describe('event codec (no I/O)', () => {
  it('names every field of an event that does not match its schema', () => {
    const attempt = () => codec.validate('PaymentCompleted', { orderId: 'o', amount: { amount: 1.5, currency: 'EUR' } })
    expect(attempt).toThrow(InvalidEvent)
    try { attempt() } catch (err) {
      expect((err as InvalidEvent).paths).toEqual(expect.arrayContaining(['eventId', 'amount.amount', 'paymentId']))
    }
  })

  it('refuses bytes that are not in the Confluent wire format', async () => {
    await expect(codec.decode(Buffer.from([1, 0, 0, 0, 1]))).rejects.toBeInstanceOf(UndecodableMessage)
    await expect(codec.decode(Buffer.from([0, 0]))).rejects.toThrow(/wire format/)
  })

  it('names subjects by topic and record (TopicRecordNameStrategy)', () => {
    expect(subjectOf('StockReserved', 'choreo.stock.StockReserved')).toBe('stock.events-choreo.stock.StockReserved')
  })

  it('refuses to encode an event type that was not registered', () => {
    expect(() => codec.encode('OrderPlaced', {})).toThrow(/not registered/)
  })
})
