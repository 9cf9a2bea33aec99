import { randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { bearerAs } from '@choreo/testkit'
import { MAX_UNITS } from '../../repositories/products.ts'
import { useStockApp } from '../../testing/harness.ts'

const admin = bearerAs('ops', 'admin')
/** Admin headers with a fresh Idempotency-Key, as every restock needs. */
const adminOnce = (key: string = randomUUID()) => ({ ...admin, 'idempotency-key': key })

const h = useStockApp('products')

interface Page { items: { productId: string }[]; nextCursor: string | null }

const valid = { name: 'Espresso cup', price: { amount: 1299, currency: 'EUR' }, quantity: 10 }

async function rowCounts() {
  const [products] = await h.app.db('products').count<{ count: string }[]>('* as count')
  const [outbox] = await h.app.db('outbox').count<{ count: string }[]>('* as count')
  return { products: Number(products?.count), outbox: Number(outbox?.count) }
}

describe('POST /products', () => {
  it('creates a product with the given id and returns it with its location', async () => {
    const productId = `cup-${randomUUID()}`
    const res = await h.app.inject({ headers: admin, method: 'POST', url: '/products', payload: { productId, ...valid } })
    expect(res.statusCode).toBe(201)
    expect(res.headers.location).toBe(`/products/${productId}`)
    expect(res.json()).toEqual({ productId, name: 'Espresso cup', price: { amount: 1299, currency: 'EUR' }, available: 10, reserved: 0 })
    expect(await h.app.db('products').where({ product_id: productId }).first()).toMatchObject({ price_amount: '1299', price_currency: 'EUR', available: 10, reserved: 0 })
  })

  it('makes up a uuid when no id is given', async () => {
    const res = await h.app.inject({ headers: admin, method: 'POST', url: '/products', payload: valid })
    expect(res.statusCode).toBe(201)
    expect(res.json().productId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
  })

  it('refuses an id that exists with 409 product-exists, leaving the product as it was', async () => {
    const productId = `cup-${randomUUID()}`
    await h.app.inject({ headers: admin, method: 'POST', url: '/products', payload: { productId, ...valid } })
    const res = await h.app.inject({ headers: admin, method: 'POST', url: '/products', payload: { productId, ...valid, name: 'Other', quantity: 99 } })
    expect(res.statusCode).toBe(409)
    expect(res.json()).toMatchObject({ error: 'conflict', rule: 'product-exists' })
    expect(await h.app.db('products').where({ product_id: productId })).toEqual([expect.objectContaining({ name: 'Espresso cup', available: 10 })])
  })

  it.each([
    ['an unknown field', { ...valid, colour: 'red' }, 'colour', 'additionalProperties'],
    ['a negative quantity', { ...valid, quantity: -1 }, 'quantity', 'minimum'],
    ['a quantity of the wrong type', { ...valid, quantity: '10' }, 'quantity', 'type'],
    ['a fractional price', { ...valid, price: { amount: 12.5, currency: 'EUR' } }, 'price.amount', 'type'],
    ['no name', { price: valid.price, quantity: 1 }, 'name', 'required'],
    ['an empty name', { ...valid, name: '' }, 'name', 'minLength'],
    ['a lower-case currency', { ...valid, price: { amount: 100, currency: 'eur' } }, 'price.currency', 'pattern'],
    ['an id with a slash', { ...valid, productId: 'a/b' }, 'productId', 'pattern'],
  ])('refuses %s with 400 naming the field, and writes nothing', async (_what, payload, field, rule) => {
    const before = await rowCounts()
    const res = await h.app.inject({ headers: admin, method: 'POST', url: '/products', payload })
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ error: 'validation', field, rule })
    expect(await rowCounts()).toEqual(before)
  })
})

describe('GET /products/:productId', () => {
  it('returns the product', async () => {
    const productId = `cup-${randomUUID()}`
    await h.app.inject({ headers: admin, method: 'POST', url: '/products', payload: { productId, ...valid } })
    const res = await h.app.inject({ headers: admin, url: `/products/${productId}` })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ productId, name: 'Espresso cup', price: { amount: 1299, currency: 'EUR' }, available: 10, reserved: 0 })
  })

  it('answers 404 JSON for an unknown product', async () => {
    const res = await h.app.inject({ headers: admin, url: '/products/nope' })
    expect(res.statusCode).toBe(404)
    expect(res.json()).toMatchObject({ error: 'not_found', field: 'productId' })
  })
})

describe('GET /products', () => {
  it('pages through every product in id order', async () => {
    for (let i = 0; i < 5; i++) await h.app.inject({ headers: admin, method: 'POST', url: '/products', payload: valid })
    const all = (await h.app.inject({ headers: admin, url: '/products?limit=200' })).json<Page>()
    expect(all.nextCursor).toBeNull()
    const ids = all.items.map((p) => p.productId)
    expect(ids.length).toBeGreaterThanOrEqual(5)
    const paged: string[] = []
    let cursor: string | null = null
    do {
      const res: { statusCode: number; json: () => Page } = await h.app.inject({ headers: admin, url: `/products?limit=2${cursor ? `&cursor=${cursor}` : ''}` })
      expect(res.statusCode).toBe(200)
      const page = res.json()
      expect(page.items.length).toBeLessThanOrEqual(2)
      paged.push(...page.items.map((p) => p.productId))
      cursor = page.nextCursor
    } while (cursor)
    expect(paged).toEqual(ids)
  })

  it.each([['0', 'minimum'], ['201', 'maximum'], ['abc', 'type']])('refuses limit=%s with 400 naming limit', async (limit, rule) => {
    const res = await h.app.inject({ headers: admin, url: `/products?limit=${limit}` })
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ field: 'limit', rule })
  })
})

describe('POST /products/:productId/restock', () => {
  it('adds to what is available', async () => {
    const productId = `cup-${randomUUID()}`
    await h.app.inject({ headers: admin, method: 'POST', url: '/products', payload: { productId, ...valid } })
    const res = await h.app.inject({ headers: adminOnce(), method: 'POST', url: `/products/${productId}/restock`, payload: { quantity: 5 } })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toMatchObject({ productId, available: 15, reserved: 0 })
  })

  it('answers 404 for an unknown product', async () => {
    const res = await h.app.inject({ headers: adminOnce(), method: 'POST', url: '/products/nope/restock', payload: { quantity: 5 } })
    expect(res.statusCode).toBe(404)
    expect(res.json()).toMatchObject({ error: 'not_found', field: 'productId' })
  })

  it('refuses to grow on hand past what the stock columns hold, with 422 max-units', async () => {
    const productId = `cup-${randomUUID()}`
    await h.app.inject({ headers: admin, method: 'POST', url: '/products', payload: { productId, ...valid } })
    await h.app.db('products').where({ product_id: productId }).update({ available: MAX_UNITS - 15, reserved: 10 })
    const res = await h.app.inject({ headers: adminOnce(), method: 'POST', url: `/products/${productId}/restock`, payload: { quantity: 6 } })
    expect(res.statusCode).toBe(422)
    expect(res.json()).toMatchObject({ field: 'quantity', rule: 'max-units' })
    expect(await h.app.db('products').where({ product_id: productId }).first()).toMatchObject({ available: MAX_UNITS - 15 })
    expect((await h.app.inject({ headers: adminOnce(), method: 'POST', url: `/products/${productId}/restock`, payload: { quantity: 5 } })).json()).toMatchObject({ available: MAX_UNITS - 10 })
  })

  it('refuses a quantity of 0 with 400 and leaves the stock alone', async () => {
    const productId = `cup-${randomUUID()}`
    await h.app.inject({ headers: admin, method: 'POST', url: '/products', payload: { productId, ...valid } })
    const res = await h.app.inject({ headers: adminOnce(), method: 'POST', url: `/products/${productId}/restock`, payload: { quantity: 0 } })
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ field: 'quantity', rule: 'minimum' })
    expect(await h.app.db('products').where({ product_id: productId }).first()).toMatchObject({ available: 10 })
  })
})

describe('restock is safe to retry (Idempotency-Key)', () => {
  const restock = (productId: string, quantity: number, headers: Record<string, string>) =>
    h.app.inject({ headers, method: 'POST', url: `/products/${productId}/restock`, payload: { quantity } })
  const availableOf = async (productId: string) => (await h.app.db('products').where({ product_id: productId }).first()).available as number
  const restocksOf = async (productId: string) => Number((await h.app.db('restocks').where({ product_id: productId }).count<{ n: string }[]>('* as n'))[0]?.n)

  async function newProduct(): Promise<string> {
    const productId = `cup-${randomUUID()}`
    await h.app.inject({ headers: admin, method: 'POST', url: '/products', payload: { productId, ...valid } })
    return productId
  }

  it('refuses a restock without the header: 400 naming it, nothing added', async () => {
    const productId = await newProduct()
    const res = await restock(productId, 5, admin)
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ field: 'Idempotency-Key', rule: 'required' })
    expect(await availableOf(productId)).toBe(10)
    expect(await restocksOf(productId)).toBe(0)
  })

  it('adds the units once when the same request is sent twice, and answers both', async () => {
    const productId = await newProduct()
    const headers = adminOnce()
    const first = await restock(productId, 5, headers)
    const again = await restock(productId, 5, headers)
    expect([first.statusCode, again.statusCode]).toEqual([200, 200])
    expect(again.json()).toMatchObject({ productId, available: 15 })
    expect(await availableOf(productId)).toBe(15)
    expect(await restocksOf(productId)).toBe(1)
  })

  it('adds the units once for five concurrent requests with one key', async () => {
    const productId = await newProduct()
    const headers = adminOnce()
    const answers = await Promise.all(Array.from({ length: 5 }, () => restock(productId, 7, headers)))
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200, 200, 200, 200])
    expect(await availableOf(productId)).toBe(17)
    expect(await restocksOf(productId)).toBe(1)
  })

  it.each([
    ['another quantity', 6, false],
    ['another product', 5, true],
  ])('refuses a reused key with %s: 422, nothing added', async (_, quantity, otherProduct) => {
    const productId = await newProduct()
    const other = otherProduct ? await newProduct() : productId
    const headers = adminOnce()
    expect((await restock(productId, 5, headers)).statusCode).toBe(200)
    const reused = await restock(other, quantity, headers)
    expect(reused.statusCode).toBe(422)
    expect(reused.json()).toMatchObject({ field: 'Idempotency-Key', rule: 'idempotency-key-reuse' })
    expect(await availableOf(productId)).toBe(15)
    expect(await availableOf(other)).toBe(otherProduct ? 10 : 15)
  })

  it('leaves the key unused when the restock is refused, so a corrected retry with it goes through', async () => {
    const productId = await newProduct()
    await h.app.db('products').where({ product_id: productId }).update({ available: MAX_UNITS - 15, reserved: 10 })
    const headers = adminOnce()
    expect((await restock(productId, 6, headers)).statusCode).toBe(422)
    expect(await restocksOf(productId)).toBe(0)
    expect((await restock(productId, 5, headers)).json()).toMatchObject({ available: MAX_UNITS - 10 })
  })
})

describe('who may do what', () => {
  it('any caller with a token reads the catalogue; without one, 401', async () => {
    const productId = `cup-${randomUUID()}`
    await h.app.inject({ headers: admin, method: 'POST', url: '/products', payload: { productId, ...valid } })
    expect((await h.app.inject({ headers: bearerAs('ada'), url: `/products/${productId}` })).statusCode).toBe(200)
    expect((await h.app.inject({ headers: bearerAs('ada'), url: '/products' })).statusCode).toBe(200)
    const anonymous = await h.app.inject({ url: `/products/${productId}` })
    expect(anonymous.statusCode).toBe(401)
    expect(anonymous.json()).toMatchObject({ error: 'unauthorized', rule: 'token-missing' })
  })

  it('a customer may not create a product: 403 role, nothing written', async () => {
    const before = await rowCounts()
    const res = await h.app.inject({ headers: bearerAs('ada'), method: 'POST', url: '/products', payload: { productId: `cup-${randomUUID()}`, ...valid } })
    expect(res.statusCode).toBe(403)
    expect(res.json()).toMatchObject({ error: 'forbidden', rule: 'role' })
    expect(await rowCounts()).toEqual(before)
  })

  it('a customer may not restock: 403 role, the stock stays', async () => {
    const productId = `cup-${randomUUID()}`
    await h.app.inject({ headers: admin, method: 'POST', url: '/products', payload: { productId, ...valid } })
    const res = await h.app.inject({ headers: { ...bearerAs('ada'), 'idempotency-key': randomUUID() }, method: 'POST', url: `/products/${productId}/restock`, payload: { quantity: 1_000 } })
    expect(res.statusCode).toBe(403)
    expect(await h.app.db('products').where({ product_id: productId }).first()).toMatchObject({ available: 10 })
  })
})

describe('hostile input', () => {
  it.each([
    ['a NUL in the name', { ...valid, name: 'cup\u0000' }, 'name'],
    ['a right-to-left override in the name', { ...valid, name: 'cup \u202Egnp.exe' }, 'name'],
    ['a blank name', { ...valid, name: '   ' }, 'name'],
    ['a huge quantity', { ...valid, quantity: 1e15 }, 'quantity'],
    ['a negative price', { ...valid, price: { amount: -100, currency: 'EUR' } }, 'price.amount'],
  ])('%s is refused with 400, writing nothing', async (_what, payload, field) => {
    const before = await rowCounts()
    const res = await h.app.inject({ headers: admin, method: 'POST', url: '/products', payload })
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ error: 'validation', field })
    expect(await rowCounts()).toEqual(before)
  })

  it('malformed JSON is refused with 400 rule json, writing nothing', async () => {
    const before = await rowCounts()
    const res = await h.app.inject({ headers: { ...admin, 'content-type': 'application/json' }, method: 'POST', url: '/products', payload: '{"name": "cup", ' })
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ rule: 'json' })
    expect(await rowCounts()).toEqual(before)
  })
})
