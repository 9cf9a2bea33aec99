import { describe, expect, it } from 'vitest'
import { idempotencyKeyOf } from './idempotency-key.ts'

describe('idempotencyKeyOf', () => {
  it('returns the Idempotency-Key header', () => {
    expect(idempotencyKeyOf({ 'idempotency-key': '7b0c-retry_1' })).toBe('7b0c-retry_1')
  })

  it.each([
    ['missing', {}, 'required'],
    ['empty', { 'idempotency-key': '' }, 'required'],
    ['over 128 characters', { 'idempotency-key': 'k'.repeat(129) }, 'maxLength'],
    ['with a space', { 'idempotency-key': 'two words' }, 'pattern'],
    ['with characters beyond ASCII', { 'idempotency-key': 'clé' }, 'pattern'],
  ])('refuses a key %s with 400 naming the header', (_what, headers, rule) => {
    expect(() => idempotencyKeyOf(headers)).toThrow(expect.objectContaining({ statusCode: 400, field: 'Idempotency-Key', rule }))
  })
})
