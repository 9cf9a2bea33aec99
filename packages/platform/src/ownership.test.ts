import { describe, expect, it } from 'vitest'
import { Forbidden } from './errors.ts'
import { assertActingFor, mayActFor } from './ownership.ts'

describe('mayActFor', () => {
  it('lets a customer act for themselves only, and an admin for anyone', () => {
    expect(mayActFor({ sub: 'ada', role: 'customer' }, 'ada')).toBe(true)
    expect(mayActFor({ sub: 'ada', role: 'customer' }, 'grace')).toBe(false)
    expect(mayActFor({ sub: 'root', role: 'admin' }, 'grace')).toBe(true)
  })
})

describe('assertActingFor', () => {
  it('refuses a customer naming someone else with 403 customer-mismatch on the field', () => {
    const refuse = () => assertActingFor({ sub: 'ada', role: 'customer' }, 'grace', 'customerId')
    expect(refuse).toThrow(Forbidden)
    expect(refuse).toThrow(expect.objectContaining({ statusCode: 403, rule: 'customer-mismatch', field: 'customerId' }))
  })

  it('passes a customer naming themselves and an admin naming anyone', () => {
    expect(() => assertActingFor({ sub: 'ada', role: 'customer' }, 'ada', 'customerId')).not.toThrow()
    expect(() => assertActingFor({ sub: 'root', role: 'admin' }, 'grace', 'customerId')).not.toThrow()
  })
})
