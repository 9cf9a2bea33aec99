import { randomUUID } from 'node:crypto'
import fc from 'fast-check'
import { expect, it } from 'vitest'
import { TEXT_PATTERN } from '@choreo/platform'
import { bearerAs } from '@choreo/testkit'
import { useOrderApp } from '../../testing/harness.ts'

// Generated bodies, valid-looking and hostile, thrown at POST /orders and PATCH /orders/:id.
// Whatever comes in, the answer is a success or a 4xx JSON naming the error, never a 5xx; and a
// refused request leaves the orders tables, the idempotency keys and the outbox as they were.

const RUNS = 150
const CUSTOMER = 'prop-cust'

const h = useOrderApp('property', { ORDER_RATE_LIMIT_PER_MINUTE: '100000' })

const address = { name: 'Ada Lovelace', line1: '12 St James Sq', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' }

/** Rows in every table a request may write, in one round trip. */
async function rowCounts(): Promise<Record<string, number>> {
  const tables = ['orders', 'order_lines', 'order_history', 'idempotency_keys', 'outbox']
  const { rows } = await h.database.db.raw<{ rows: Record<string, string>[] }>(`SELECT ${tables.map((t) => `(SELECT count(*) FROM ${t}) AS ${t}`).join(', ')}`)
  return Object.fromEntries(Object.entries(rows[0] ?? {}).map(([t, n]) => [t, Number(n)]))
}

/** Counts how a property's requests were answered, so a test can show it tried both sides. */
function outcomes() {
  const seen = { success: 0, refused: 0 }
  return { seen, record: (success: boolean) => { seen[success ? 'success' : 'refused'] += 1 } }
}

// --- Generators: mostly plausible values, with every kind of wrong one mixed in --------------

const hostileText = fc.oneof(
  fc.constantFrom('', '   ', 'Ada\u0000', 'Ada\u202Eecal', '\u2066x', 'Ada\ud800', 'a\nb', 'x'.repeat(201), '東京', 'Zoë'),
  fc.string({ unit: 'binary', maxLength: 250 }),
  fc.string({ maxLength: 30 }),
)
const anyValue = fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.string({ maxLength: 10 }), fc.array(fc.integer(), { maxLength: 3 }))
const validId = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/)

// Valid values, varied: what a real client sends.
const TEXT = new RegExp(TEXT_PATTERN, 'u')
const validText = (maxLength: number) => fc.string({ unit: 'grapheme', minLength: 1, maxLength }).filter((t) => TEXT.test(t))
const validItems = fc.uniqueArray(
  fc.record({ productId: fc.oneof(fc.constantFrom('apple', 'pear', 'plum', 'fig'), validId), quantity: fc.integer({ min: 1, max: 1000 }) }),
  { minLength: 1, maxLength: 5, selector: (i) => i.productId },
)
const validAddress = fc.record({ name: validText(200), line1: validText(200), city: validText(100), postalCode: validText(20), country: fc.constantFrom('GB', 'NL', 'JP') })
const validOrder = fc.record({ customerId: fc.constant(CUSTOMER), items: validItems, shippingAddress: validAddress, currency: fc.constantFrom(undefined, 'EUR', 'GBP') })

// Wrong values of every kind.
const productId = fc.oneof(validId, hostileText, anyValue)
const quantity = fc.oneof(fc.integer(), fc.double(), fc.constant(Number.MAX_VALUE), anyValue)
const item = fc.oneof(
  fc.record({ productId, quantity }),
  fc.record({ productId: fc.constant('apple'), quantity: fc.constant(1), extra: anyValue }),
  fc.record({ productId }, { requiredKeys: [] }),
  anyValue,
)
const items = fc.oneof(fc.array(item, { minLength: 1, maxLength: 6 }), fc.array(item, { maxLength: 55 }), validItems.map((v) => [...v, v[0]]), anyValue)
const text = fc.oneof(hostileText, anyValue)
const shippingAddress = fc.oneof(
  fc.record({ name: text, line1: text, city: text, postalCode: text, country: fc.oneof(fc.constant('GB'), fc.string({ maxLength: 3 })) }, { requiredKeys: [] }),
  validAddress.chain((a) => fc.record({ ...Object.fromEntries(Object.entries(a).map(([k, v]) => [k, fc.constant(v)])), line2: text })),
  anyValue,
)
const customerId = fc.oneof(validId, hostileText, anyValue)
const currency = fc.oneof(fc.constantFrom('eur', 'EURO', ''), anyValue)
const wrong = { customerId, items, shippingAddress, currency, coupon: anyValue }

/** A valid order with one field made wrong (or one too many). */
const mutatedOrder = fc.tuple(validOrder, fc.constantFrom(...(Object.keys(wrong) as (keyof typeof wrong)[]))).chain(([order, field]) =>
  wrong[field].map((value) => ({ ...order, [field]: value })))

const orderBody = fc.oneof(
  { weight: 4, arbitrary: validOrder },
  { weight: 8, arbitrary: mutatedOrder },
  { weight: 2, arbitrary: fc.record({ customerId, items, shippingAddress, currency }, { requiredKeys: [] }) },
  { weight: 1, arbitrary: fc.anything({ maxDepth: 3 }) },
)
const modifyBody = fc.oneof(
  { weight: 4, arbitrary: fc.record({ items: validItems }) },
  { weight: 6, arbitrary: fc.record({ items }) },
  { weight: 1, arbitrary: fc.record({ items: validItems, note: anyValue }) },
  { weight: 1, arbitrary: fc.anything({ maxDepth: 3 }) },
)

/** A body as JSON, or now and then as raw bytes that are not JSON at all. */
const payloadOf = (body: fc.Arbitrary<unknown>) => fc.oneof(
  { weight: 9, arbitrary: body.map((b) => JSON.stringify(b) ?? 'null') },
  fc.string({ unit: 'binary', maxLength: 100 }),
)

function expectSuccessOr4xxJson(res: { statusCode: number; body: string }, success: number): void {
  expect(res.statusCode, res.body).toBeLessThan(500)
  if (res.statusCode === success) return
  expect(res.statusCode, res.body).toBeGreaterThanOrEqual(400)
  const body = JSON.parse(res.body) as { error?: unknown; message?: unknown }
  expect(typeof body.error, res.body).toBe('string')
  expect(typeof body.message, res.body).toBe('string')
}

it(`POST /orders: never a 5xx, and a refusal writes nothing (${RUNS} generated requests)`, async () => {
  const { seen, record } = outcomes()
  await fc.assert(fc.asyncProperty(
    payloadOf(orderBody),
    fc.oneof({ weight: 8, arbitrary: fc.uuid() }, fc.constantFrom('shared-key', 'k'.repeat(129), 'two words', '')),
    async (payload, key) => {
      const before = await rowCounts()
      const res = await h.app.inject({
        method: 'POST', url: '/orders', payload,
        headers: { ...bearerAs(CUSTOMER), 'content-type': 'application/json', ...(key === '' ? {} : { 'idempotency-key': key }) },
      })
      expectSuccessOr4xxJson(res, 201)
      record(res.statusCode === 201)
      if (res.statusCode !== 201) expect(await rowCounts()).toEqual(before)
    },
  ), { numRuns: RUNS })
  // The generators reach both sides: a suite of only refusals would prove little.
  expect(seen.success).toBeGreaterThan(RUNS / 10)
  expect(seen.refused).toBeGreaterThan(RUNS / 10)
})

type Target = 'own' | 'own-pending' | 'others' | 'unknown' | 'not-a-uuid'

/** An own order with no modification pending, kept until a PATCH is accepted (then a new one). */
let unmodified: string | undefined

async function orderFor(target: Target): Promise<string> {
  if (target === 'own' && unmodified) return unmodified
  if (target === 'unknown') return randomUUID()
  if (target === 'not-a-uuid') return 'x%00y'
  const owner = target === 'others' ? 'someone-else' : CUSTOMER
  const res = await h.app.inject({
    method: 'POST', url: '/orders', headers: { ...bearerAs(owner), 'idempotency-key': randomUUID() },
    payload: { customerId: owner, items: [{ productId: 'apple', quantity: 1 }], shippingAddress: address },
  })
  const { orderId } = res.json<{ orderId: string }>()
  if (target === 'own-pending') {
    await h.app.inject({ method: 'PATCH', url: `/orders/${orderId}`, headers: bearerAs(CUSTOMER), payload: { items: [{ productId: 'pear', quantity: 2 }] } })
  }
  if (target === 'own') unmodified = orderId
  return orderId
}

it(`PATCH /orders/:id: never a 5xx, and a refusal writes nothing (${RUNS} generated requests)`, async () => {
  const { seen, record } = outcomes()
  await fc.assert(fc.asyncProperty(
    payloadOf(modifyBody),
    fc.oneof({ weight: 6, arbitrary: fc.constant<Target>('own') }, fc.constantFrom<Target>('own-pending', 'others', 'unknown', 'not-a-uuid')),
    async (payload, target) => {
      const orderId = await orderFor(target)
      const before = await rowCounts()
      const pendingBefore = (await h.database.db('orders').where({ order_id: orderId }).first())?.pending_modification_id
      const res = await h.app.inject({ method: 'PATCH', url: `/orders/${orderId}`, payload, headers: { ...bearerAs(CUSTOMER), 'content-type': 'application/json' } })
      expectSuccessOr4xxJson(res, 202)
      record(res.statusCode === 202)
      if (res.statusCode === 202) unmodified = undefined
      else {
        expect(await rowCounts()).toEqual(before)
        expect((await h.database.db('orders').where({ order_id: orderId }).first())?.pending_modification_id).toBe(pendingBefore)
      }
    },
  ), { numRuns: RUNS })
  expect(seen.success).toBeGreaterThan(RUNS / 10)
  expect(seen.refused).toBeGreaterThan(RUNS / 10)
})
