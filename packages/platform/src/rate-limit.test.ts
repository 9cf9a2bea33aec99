import { afterAll, beforeAll, expect, it } from 'vitest'
import { bearer } from '@choreo/testkit'
import { createHttp, type HttpApp } from './http.ts'
import { perCallerPerMinute } from './rate-limit.ts'
import { mintToken } from './tokens.ts'

const SECRET = 'unit-test-secret-for-bearer-tokens-0123456789'
const as = (sub: string) => bearer(mintToken({ sub, role: 'customer' }, SECRET))

let app: HttpApp
beforeAll(async () => {
  app = await createHttp({ service: 'rate-limit-test', logger: false, jwtSecret: SECRET })
  app.post('/orders', { config: { access: 'authenticated', rateLimit: perCallerPerMinute(3) } }, async () => ({ ok: true }))
  app.post('/other', { config: { access: 'authenticated' } }, async () => ({ ok: true }))
  await app.ready()
})
afterAll(async () => app?.close())

it('limits each caller on their own: the one over the limit gets 429 JSON with Retry-After, others go on', async () => {
  const statuses = []
  for (let i = 0; i < 3; i++) statuses.push((await app.inject({ method: 'POST', url: '/orders', headers: as('ada') })).statusCode)
  expect(statuses).toEqual([200, 200, 200])

  const over = await app.inject({ method: 'POST', url: '/orders', headers: as('ada') })
  expect(over.statusCode).toBe(429)
  expect(over.json()).toEqual({ error: 'rate_limited', message: expect.stringContaining('at most 3'), rule: 'rate-limit' })
  const retryAfter = Number(over.headers['retry-after'])
  expect(retryAfter).toBeGreaterThan(0)
  expect(retryAfter).toBeLessThanOrEqual(60)

  expect((await app.inject({ method: 'POST', url: '/orders', headers: as('grace') })).statusCode).toBe(200)
  // Only routes that ask for a limit have one.
  expect((await app.inject({ method: 'POST', url: '/other', headers: as('ada') })).statusCode).toBe(200)
})

it('an anonymous flood is refused (401) before it is counted against anyone', async () => {
  for (let i = 0; i < 5; i++) expect((await app.inject({ method: 'POST', url: '/orders' })).statusCode).toBe(401)
  expect((await app.inject({ method: 'POST', url: '/orders', headers: as('edsger') })).statusCode).toBe(200)
})
