import { describe, expect, it } from 'vitest'
import { RegistryError } from './errors.ts'
import { classify } from './retriable.ts'

describe('failure classification', () => {
  it('treats a database or broker that is away as an outage, retried until it is back', () => {
    expect(classify(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).toBe('outage')
    expect(classify(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe('outage')
    expect(classify(Object.assign(new Error('pool'), { name: 'KnexTimeoutError' }))).toBe('outage')
    expect(classify(new RegistryError('registry lookup of schema id 7 failed', { retriable: true }))).toBe('outage')
    expect(classify(new Error('Query read timeout'))).toBe('outage') // node-postgres's query_timeout: a silent connection
    expect(classify(Object.assign(new Error('terminating connection due to idle-in-transaction timeout'), { code: '25P03' }))).toBe('outage')
  })

  it('treats a transaction the database picked as victim as contention, retried until it passes', () => {
    expect(classify(Object.assign(new Error('deadlock detected'), { code: '40P01' }))).toBe('contention')
    expect(classify(Object.assign(new Error('could not serialize'), { code: '40001' }))).toBe('contention')
    expect(classify(Object.assign(new Error('Transaction was deadlocked'), { number: 1205 }))).toBe('contention')
    expect(classify(Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' }))).toBe('contention')
  })

  it('looks through wrapped causes', () => {
    expect(classify(new Error('wrapper', { cause: Object.assign(new Error('x'), { code: 'ECONNRESET' }) }))).toBe('outage')
  })

  it('treats anything else as permanent, dead-lettered at once', () => {
    expect(classify(new TypeError('cannot read properties of undefined'))).toBe('permanent')
    expect(classify(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe('permanent')
  })
})
