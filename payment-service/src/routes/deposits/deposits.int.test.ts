import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { bearerAs } from '@choreo/testkit'
import { balanceOf, countRows, eur, expectMoneyConserved, newCustomer, usePaymentApp } from '../../testing/harness.ts'

const admin = bearerAs('ops', 'admin')

describe('deposits over HTTP', () => {
  const h = usePaymentApp('deposits')

  /** A deposit request; a null key sends no Idempotency-Key header. */
  function deposit(customerId: string, amount: unknown, key: string | null = randomUUID(), as: Record<string, string> = admin) {
    return h.app.inject({
      method: 'POST', url: `/customers/${customerId}/deposits`, payload: { amount },
      headers: { ...as, ...(key === null ? {} : { 'Idempotency-Key': key }) },
    })
  }

  it('credits the balance and answers with the deposit and the new balance', async () => {
    const customerId = await newCustomer(h.app.db, eur(1_000))

    const res = await deposit(customerId, 2_500)

    expect(res.statusCode).toBe(201)
    expect(res.json()).toEqual({ depositId: expect.stringMatching(/^[0-9a-f-]{36}$/), customerId, amount: eur(2_500), balance: eur(3_500) })
    expect(await balanceOf(h.app.db, customerId)).toBe(3_500)
    await expectMoneyConserved(h.app.db, customerId, 1_000)
  })

  it('replays a retry with the same key and amount: same deposit, credited once', async () => {
    const customerId = await newCustomer(h.app.db, eur(1_000))
    const key = randomUUID()

    const first = await deposit(customerId, 500, key)
    const retry = await deposit(customerId, 500, key)

    expect(retry.statusCode).toBe(201)
    expect(retry.json()).toEqual(first.json())
    expect(await balanceOf(h.app.db, customerId)).toBe(1_500)
    expect(await countRows(h.app.db, 'deposits', { customer_id: customerId })).toBe(1)
  })

  it('refuses a key reused for another amount with 422, changing nothing', async () => {
    const customerId = await newCustomer(h.app.db, eur(1_000))
    const key = randomUUID()
    await deposit(customerId, 500, key)

    const reuse = await deposit(customerId, 700, key)

    expect(reuse.statusCode).toBe(422)
    expect(reuse.json()).toMatchObject({ error: 'unprocessable', field: 'Idempotency-Key', rule: 'idempotency-key-reuse' })
    expect(await balanceOf(h.app.db, customerId)).toBe(1_500)
    expect(await countRows(h.app.db, 'deposits', { customer_id: customerId })).toBe(1)
  })

  it('makes one deposit of many concurrent requests with the same key', async () => {
    const customerId = await newCustomer(h.app.db, eur(0))
    const key = randomUUID()

    const responses = await Promise.all(Array.from({ length: 8 }, () => deposit(customerId, 100, key)))

    expect(responses.map((r) => r.statusCode)).toEqual(Array(8).fill(201))
    expect(new Set(responses.map((r) => r.json<{ depositId: string }>().depositId)).size).toBe(1)
    expect(await balanceOf(h.app.db, customerId)).toBe(100)
    expect(await countRows(h.app.db, 'deposits', { customer_id: customerId })).toBe(1)
  })

  it('keeps keys per customer and makes distinct keys distinct deposits', async () => {
    const [ada, bob] = [await newCustomer(h.app.db, eur(0)), await newCustomer(h.app.db, eur(0))]
    const key = randomUUID()

    await deposit(ada, 100, key)
    await deposit(bob, 100, key)
    await deposit(ada, 100, randomUUID())

    expect(await balanceOf(h.app.db, ada)).toBe(200)
    expect(await balanceOf(h.app.db, bob)).toBe(100)
    await expectMoneyConserved(h.app.db, ada, 0)
    await expectMoneyConserved(h.app.db, bob, 0)
  })

  it.each([
    ['no Idempotency-Key', 100, null, 'Idempotency-Key', 'required'],
    ['an empty Idempotency-Key', 100, '', 'Idempotency-Key', 'required'],
    ['an Idempotency-Key over 128 characters', 100, 'k'.repeat(129), 'Idempotency-Key', 'maxLength'],
    ['an amount of 0', 0, 'key-0', 'amount', 'minimum'],
    ['an amount over the limit', 1_000_000_001, 'key-1', 'amount', 'maximum'],
    ['a fractional amount', 1.5, 'key-2', 'amount', 'type'],
    ['an amount given as a string', '100', 'key-3', 'amount', 'type'],
  ])('refuses %s with 400 naming the field, writing nothing', async (_case, amount, key, field, rule) => {
    const customerId = await newCustomer(h.app.db, eur(1_000))

    const res = await deposit(customerId, amount, key)

    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ field, rule })
    expect(await countRows(h.app.db, 'deposits', { customer_id: customerId })).toBe(0)
    expect(await balanceOf(h.app.db, customerId)).toBe(1_000)
    expect(await countRows(h.app.db, 'outbox')).toBe(0)
  })

  it('answers 404 for an unknown customer, writing nothing', async () => {
    const res = await deposit('nobody', 100)

    expect(res.statusCode).toBe(404)
    expect(res.json()).toMatchObject({ field: 'customerId' })
    expect(await countRows(h.app.db, 'deposits', { customer_id: 'nobody' })).toBe(0)
  })

  describe('who may deposit where', () => {
    it('a customer cannot credit their own account: 403 role, and nothing is written', async () => {
      const customerId = await newCustomer(h.app.db, eur(1_000))
      for (const amount of [300, 1_000_000_000]) {
        const res = await deposit(customerId, amount, randomUUID(), bearerAs(customerId))
        expect(res.statusCode).toBe(403)
        expect(res.json()).toMatchObject({ error: 'forbidden', rule: 'role' })
      }
      expect(await balanceOf(h.app.db, customerId)).toBe(1_000)
      expect(await countRows(h.app.db, 'deposits', { customer_id: customerId })).toBe(0)
      await expectMoneyConserved(h.app.db, customerId, 1_000)
    })

    it("a customer depositing into another's account gets 403 role, and nothing is written", async () => {
      const customerId = await newCustomer(h.app.db, eur(1_000))
      const res = await deposit(customerId, 300, randomUUID(), bearerAs('mallory'))
      expect(res.statusCode).toBe(403)
      expect(res.json()).toMatchObject({ error: 'forbidden', rule: 'role' })
      expect(await balanceOf(h.app.db, customerId)).toBe(1_000)
      expect(await countRows(h.app.db, 'deposits', { customer_id: customerId })).toBe(0)
    })

    it('the same 403 for an account that does not exist: nobody learns which accounts do', async () => {
      const res = await deposit('nobody-at-all', 300, randomUUID(), bearerAs('mallory'))
      expect(res.statusCode).toBe(403)
    })

    it('an anonymous deposit gets 401 and credits nothing', async () => {
      const customerId = await newCustomer(h.app.db, eur(1_000))
      const res = await deposit(customerId, 300, randomUUID(), {})
      expect(res.statusCode).toBe(401)
      expect(await balanceOf(h.app.db, customerId)).toBe(1_000)
    })
  })
})
