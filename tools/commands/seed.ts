// choreo seed: load the demo catalogue and customers into the running system (idempotent)
import { parseArgs } from 'node:util'
import { mintToken } from '@choreo/platform'

export const demoProducts = [
  { productId: 'teapot', name: 'Stoneware teapot', price: { amount: 3450, currency: 'EUR' }, quantity: 40 },
  { productId: 'mug', name: 'Enamel mug', price: { amount: 1200, currency: 'EUR' }, quantity: 200 },
  { productId: 'kettle', name: 'Whistling kettle', price: { amount: 5990, currency: 'EUR' }, quantity: 15 },
  { productId: 'tea-sampler', name: 'Loose-leaf tea sampler', price: { amount: 1875, currency: 'EUR' }, quantity: 60 },
  { productId: 'last-one', name: 'Signed poster (one left)', price: { amount: 9900, currency: 'EUR' }, quantity: 1 },
]

export const demoCustomers = [
  { customerId: 'ada', name: 'Ada Lovelace', balance: { amount: 500_000, currency: 'EUR' } },
  { customerId: 'grace', name: 'Grace Hopper', balance: { amount: 250_000, currency: 'EUR' } },
  { customerId: 'edsger', name: 'Edsger Dijkstra', balance: { amount: 100_000, currency: 'EUR' } },
  { customerId: 'broke', name: 'Almost Broke', balance: { amount: 500, currency: 'EUR' } },
]

const { values } = parseArgs({ options: { 'print-example': { type: 'boolean' } } })
const secret = process.env.JWT_SECRET ?? ''
const stockUrl = process.env.STOCK_URL ?? 'http://127.0.0.1:3002'
const paymentUrl = process.env.PAYMENT_URL ?? 'http://127.0.0.1:3003'
const orderUrl = process.env.ORDER_URL ?? 'http://127.0.0.1:3001'
const admin = mintToken({ sub: 'seed', role: 'admin' }, secret)

async function create(url: string, body: object): Promise<'created' | 'exists'> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${admin}` }, body: JSON.stringify(body) })
  if (res.status === 201) return 'created'
  if (res.status === 409) return 'exists'
  throw new Error(`POST ${url} answered ${res.status}: ${await res.text()}`)
}

if (values['print-example']) {
  const token = mintToken({ sub: 'ada', role: 'customer' }, secret, 24 * 3600)
  console.log(`
Place an order as the demo customer 'ada' (token valid 24 h; ./choreo token --customer ada mints another):

  curl -s -X POST ${orderUrl}/orders \\
    -H 'content-type: application/json' -H "idempotency-key: $(uuidgen 2>/dev/null || date +%s%N)" \\
    -H 'authorization: Bearer ${token}' \\
    -d '{"customerId":"ada","items":[{"productId":"teapot","quantity":1},{"productId":"mug","quantity":2}],
         "shippingAddress":{"name":"Ada Lovelace","line1":"12 St James Sq","city":"London","postalCode":"SW1Y 4JH","country":"GB"}}'

Then follow it: curl -s ${orderUrl}/orders/<orderId> -H 'authorization: Bearer ${token}'`)
} else {
  for (const p of demoProducts) console.log(`product ${p.productId}: ${await create(`${stockUrl}/products`, p)}`)
  for (const c of demoCustomers) console.log(`customer ${c.customerId}: ${await create(`${paymentUrl}/customers`, c)}`)
}
