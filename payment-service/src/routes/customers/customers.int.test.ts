import { describe, expect, it } from 'vitest'
import { bearerAs } from '@choreo/testkit'
import { countRows, usePaymentApp } from '../../testing/harness.ts'

const admin = bearerAs('ops', 'admin')

describe('customers over HTTP', () => {
  const h = usePaymentApp('customers')

  it('opens a customer with an opening balance and reads it back', async () => {
    const body = { customerId: 'ada-1', name: 'Ada Lovelace', balance: { amount: 50_000, currency: 'EUR' } }

    const created = await h.app.inject({ headers: admin, method: 'POST', url: '/customers', payload: body })

    expect(created.statusCode).toBe(201)
    expect(created.json()).toEqual(body)
    expect(created.headers.location).toBe('/customers/ada-1')
    const read = await h.app.inject({ headers: admin, method: 'GET', url: '/customers/ada-1' })
    expect(read.statusCode).toBe(200)
    expect(read.json()).toEqual(body)
  })

  it('gives a customer without an id a generated one', async () => {
    const created = await h.app.inject({ headers: admin, method: 'POST', url: '/customers', payload: { name: 'Grace Hopper', balance: { amount: 0, currency: 'USD' } } })

    expect(created.statusCode).toBe(201)
    const { customerId } = created.json<{ customerId: string }>()
    expect(customerId).toMatch(/^[0-9a-f-]{36}$/)
    expect((await h.app.inject({ headers: admin, method: 'GET', url: `/customers/${customerId}` })).json()).toMatchObject({ name: 'Grace Hopper', balance: { amount: 0, currency: 'USD' } })
  })

  it('refuses an id that is taken, leaving the existing customer as it was', async () => {
    await h.app.inject({ headers: admin, method: 'POST', url: '/customers', payload: { customerId: 'taken', name: 'First', balance: { amount: 100, currency: 'EUR' } } })

    const again = await h.app.inject({ headers: admin, method: 'POST', url: '/customers', payload: { customerId: 'taken', name: 'Second', balance: { amount: 999, currency: 'EUR' } } })

    expect(again.statusCode).toBe(409)
    expect(again.json()).toMatchObject({ error: 'conflict', rule: 'customer-exists' })
    expect((await h.app.inject({ headers: admin, method: 'GET', url: '/customers/taken' })).json()).toEqual({ customerId: 'taken', name: 'First', balance: { amount: 100, currency: 'EUR' } })
  })

  it('answers 404 for an unknown customer', async () => {
    const res = await h.app.inject({ headers: admin, method: 'GET', url: '/customers/nobody-here' })

    expect(res.statusCode).toBe(404)
    expect(res.json()).toMatchObject({ error: 'not_found', field: 'customerId' })
  })

  it.each([
    ['an id with a forbidden character', { customerId: 'a b', name: 'X', balance: { amount: 1, currency: 'EUR' } }, 'customerId', 'pattern'],
    ['an id over 64 characters', { customerId: 'x'.repeat(65), name: 'X', balance: { amount: 1, currency: 'EUR' } }, 'customerId', 'maxLength'],
    ['no name', { customerId: 'bad-1', balance: { amount: 1, currency: 'EUR' } }, 'name', 'required'],
    ['a blank name', { customerId: 'bad-2', name: '   ', balance: { amount: 1, currency: 'EUR' } }, 'name', 'pattern'],
    ['a name over 200 characters', { customerId: 'bad-3', name: 'n'.repeat(201), balance: { amount: 1, currency: 'EUR' } }, 'name', 'maxLength'],
    ['a negative balance', { customerId: 'bad-4', name: 'X', balance: { amount: -1, currency: 'EUR' } }, 'balance.amount', 'minimum'],
    ['a fractional balance', { customerId: 'bad-5', name: 'X', balance: { amount: 10.5, currency: 'EUR' } }, 'balance.amount', 'type'],
    ['a balance over the limit', { customerId: 'bad-6', name: 'X', balance: { amount: 1_000_000_001, currency: 'EUR' } }, 'balance.amount', 'maximum'],
    ['a lowercase currency', { customerId: 'bad-7', name: 'X', balance: { amount: 1, currency: 'eur' } }, 'balance.currency', 'pattern'],
    ['an unknown property', { customerId: 'bad-8', name: 'X', balance: { amount: 1, currency: 'EUR' }, vip: true }, 'vip', 'additionalProperties'],
  ])('refuses %s with 400 naming the field, writing nothing', async (_case, payload, field, rule) => {
    const res = await h.app.inject({ headers: admin, method: 'POST', url: '/customers', payload })

    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ error: 'validation', field, rule })
    expect(await countRows(h.app.db, 'customers', { customer_id: String(payload.customerId) })).toBe(0)
    expect(await countRows(h.app.db, 'outbox')).toBe(0)
  })

  it('refuses a malformed id in the path with 400', async () => {
    const res = await h.app.inject({ headers: admin, method: 'GET', url: '/customers/a%20b' })

    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ field: 'customerId', rule: 'pattern' })
  })

  describe('who may do what', () => {
    it('only an admin opens an account: a customer gets 403 role and nothing is written', async () => {
      const res = await h.app.inject({ headers: bearerAs('mallory'), method: 'POST', url: '/customers', payload: { customerId: 'mallory', name: 'Mallory', balance: { amount: 1_000_000, currency: 'EUR' } } })
      expect(res.statusCode).toBe(403)
      expect(res.json()).toMatchObject({ error: 'forbidden', rule: 'role' })
      expect(await countRows(h.app.db, 'customers', { customer_id: 'mallory' })).toBe(0)
    })

    it("a customer reads their own account; another's is not found, as an unknown one", async () => {
      await h.app.inject({ headers: admin, method: 'POST', url: '/customers', payload: { customerId: 'ada', name: 'Ada', balance: { amount: 100, currency: 'EUR' } } })
      await h.app.inject({ headers: admin, method: 'POST', url: '/customers', payload: { customerId: 'grace', name: 'Grace', balance: { amount: 100, currency: 'EUR' } } })
      expect((await h.app.inject({ headers: bearerAs('ada'), url: '/customers/ada' })).statusCode).toBe(200)
      const theirs = await h.app.inject({ headers: bearerAs('ada'), url: '/customers/grace' })
      const unknown = await h.app.inject({ headers: bearerAs('ada'), url: '/customers/nobody' })
      expect([theirs.statusCode, unknown.statusCode]).toEqual([404, 404])
      // The same answer as for an account that does not exist, but for the id it names.
      expect(theirs.body.replaceAll('grace', 'nobody')).toBe(unknown.body)
    })

    it('an anonymous caller gets 401', async () => {
      expect((await h.app.inject({ url: '/customers/ada' })).statusCode).toBe(401)
    })

    it('a name with a NUL or a bidi override is refused with 400, writing nothing', async () => {
      for (const name of ['Ada\u0000', 'Ada\u202Eevol']) {
        const res = await h.app.inject({ headers: admin, method: 'POST', url: '/customers', payload: { customerId: 'odd-name', name, balance: { amount: 1, currency: 'EUR' } } })
        expect(res.statusCode).toBe(400)
        expect(res.json()).toMatchObject({ field: 'name', rule: 'pattern' })
      }
      expect(await countRows(h.app.db, 'customers', { customer_id: 'odd-name' })).toBe(0)
    })
  })
})
