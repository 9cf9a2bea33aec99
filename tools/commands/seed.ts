// choreo seed: load the demo catalogue and customers into the running system (idempotent)
import { bearer, ConfigError, mintToken } from '@choreo/platform'
import { runCommand, UsageError } from '../lib/command.ts'
import { parseCommandLine } from '../lib/command-line.ts'

const usage = `
usage: ./choreo seed [--demo-order] [--print-example]
Creates the demo products (teapot, mug, kettle, tea-sampler, last-one) in stock-service and the demo
customers (ada, grace, edsger, broke) in payment-service; what exists already is left as it is.
--demo-order then places the demo order (ada: a teapot and two mugs) unless ada has an order
already, so the saga explorer has a saga to show. ./choreo up runs it with --demo-order.
--print-example prints a ready curl that places an order as ada instead.
Services: STOCK_URL, PAYMENT_URL, ORDER_URL (default: the local stack's); JWT_SECRET signs the admin token.
`

const demoProducts = [
  { productId: 'teapot', name: 'Stoneware teapot', price: { amount: 3450, currency: 'EUR' }, quantity: 40 },
  { productId: 'mug', name: 'Enamel mug', price: { amount: 1200, currency: 'EUR' }, quantity: 200 },
  { productId: 'kettle', name: 'Whistling kettle', price: { amount: 5990, currency: 'EUR' }, quantity: 15 },
  { productId: 'tea-sampler', name: 'Loose-leaf tea sampler', price: { amount: 1875, currency: 'EUR' }, quantity: 60 },
  { productId: 'last-one', name: 'Signed poster (one left)', price: { amount: 9900, currency: 'EUR' }, quantity: 1 },
]

const demoCustomers = [
  { customerId: 'ada', name: 'Ada Lovelace', balance: { amount: 500_000, currency: 'EUR' } },
  { customerId: 'grace', name: 'Grace Hopper', balance: { amount: 250_000, currency: 'EUR' } },
  { customerId: 'edsger', name: 'Edsger Dijkstra', balance: { amount: 100_000, currency: 'EUR' } },
  { customerId: 'broke', name: 'Almost Broke', balance: { amount: 500, currency: 'EUR' } },
]

/** What --demo-order places as ada. */
const demoOrderBody = {
  customerId: 'ada', items: [{ productId: 'teapot', quantity: 1 }, { productId: 'mug', quantity: 2 }],
  shippingAddress: { name: 'Ada Lovelace', line1: '12 St James Sq', city: 'London', postalCode: 'SW1Y 4JH', country: 'GB' },
}

await runCommand(usage, async (args) => {
  const { values, positionals } = parseCommandLine(args, { 'print-example': { type: 'boolean' }, 'demo-order': { type: 'boolean' } })
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`)
  const secret = process.env.JWT_SECRET
  if (!secret) throw new ConfigError('environment variable JWT_SECRET: not set (./choreo seed sets it from .run/jwt-secret)')
  const stockUrl = process.env.STOCK_URL ?? 'http://127.0.0.1:3002'
  const paymentUrl = process.env.PAYMENT_URL ?? 'http://127.0.0.1:3003'
  const orderUrl = process.env.ORDER_URL ?? 'http://127.0.0.1:3001'
  if (values['print-example']) {
    process.stdout.write(`${example(orderUrl, mintToken({ sub: 'ada', role: 'customer' }, secret, 24 * 3600))}\n`)
    return
  }
  const admin = mintToken({ sub: 'seed', role: 'admin' }, secret)
  for (const p of demoProducts) process.stdout.write(`product ${p.productId}: ${await create(admin, `${stockUrl}/products`, p)}\n`)
  for (const c of demoCustomers) process.stdout.write(`customer ${c.customerId}: ${await create(admin, `${paymentUrl}/customers`, c)}\n`)
  if (values['demo-order']) process.stdout.write(`demo order: ${await demoOrder(orderUrl, mintToken({ sub: 'ada', role: 'customer' }, secret))}\n`)
})

/** Places ada's demo order unless she has one: once per stack, however often up runs. */
async function demoOrder(orderUrl: string, ada: string): Promise<string> {
  const listed = await fetch(`${orderUrl}/orders?limit=1`, { headers: bearer(ada) })
  if (listed.status !== 200) throw new Error(`GET ${orderUrl}/orders answered ${listed.status}: ${await listed.text()}`)
  const [existing] = ((await listed.json()) as { items: { orderId: string }[] }).items
  if (existing) return `exists (${existing.orderId})`
  const res = await fetch(`${orderUrl}/orders`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': 'choreo-demo-order', ...bearer(ada) }, body: JSON.stringify(demoOrderBody),
  })
  if (res.status !== 201 && res.status !== 200) throw new Error(`POST ${orderUrl}/orders answered ${res.status}: ${await res.text()}`)
  return `placed (${((await res.json()) as { orderId: string }).orderId})`
}

async function create(admin: string, url: string, body: object): Promise<'created' | 'exists'> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...bearer(admin) }, body: JSON.stringify(body) })
  if (res.status === 201) return 'created'
  if (res.status === 409) return 'exists'
  throw new Error(`POST ${url} answered ${res.status}: ${await res.text()}`)
}

function example(orderUrl: string, token: string): string {
  return `
Place an order as the demo customer 'ada' (token valid 24 h; ./choreo token --customer ada mints another):

  curl -s -X POST ${orderUrl}/orders \\
    -H 'content-type: application/json' -H "idempotency-key: $(uuidgen 2>/dev/null || date +%s%N)" \\
    -H 'authorization: Bearer ${token}' \\
    -d '{"customerId":"ada","items":[{"productId":"teapot","quantity":1},{"productId":"mug","quantity":2}],
         "shippingAddress":{"name":"Ada Lovelace","line1":"12 St James Sq","city":"London","postalCode":"SW1Y 4JH","country":"GB"}}'

Then follow it: curl -s ${orderUrl}/orders/<orderId> -H 'authorization: Bearer ${token}'
or in the saga explorer, its whole saga across the three services, beside the demo order ./choreo up
placed: ./choreo explorer prints its login URL.
Every end state (delivered, rejected, cancelled, modified) by hand: README.md, "API walkthrough".`
}
