import { describe, expect, it } from 'vitest'
import { decodeCursor, encodeCursor } from './cursor.ts'

describe('order cursor', () => {
  it('round-trips the key to the millisecond', () => {
    const key = { createdAt: new Date('2026-01-02T03:04:05.678Z'), orderId: '6f1c1a0e-5b9a-4a8e-9a57-0e8a6b0c1d2e' }
    const text = encodeCursor(key)
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/)
    expect(decodeCursor(text)).toEqual(key)
  })

  it('rejects what this service did not issue', () => {
    for (const text of ['', 'not-base64!', Buffer.from('{"a":1}').toString('base64url'), Buffer.from('["nope","x"]').toString('base64url'), Buffer.from('[1,2]').toString('base64url')]) {
      expect(decodeCursor(text)).toBeNull()
    }
  })
})
