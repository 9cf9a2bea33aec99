import { createHmac } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { bearer } from '@choreo/testkit'
import { createHttp, type HttpApp } from './http.ts'
import { mintToken, type TokenClaims } from './tokens.ts'

// The bearer-token rules every service gets from createHttp, on a tiny app (inject: no I/O).

const SECRET = 'unit-test-secret-for-bearer-tokens-0123456789'

/** A JWT signed by hand, so a test can make one the services' own signer never would. */
function forge(header: object, payload: object, secret = SECRET, algorithm = 'sha256'): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url')
  const unsigned = `${part(header)}.${part(payload)}`
  return `${unsigned}.${createHmac(algorithm, secret).update(unsigned).digest('base64url')}`
}

const now = () => Math.floor(Date.now() / 1000)
const customer = (sub = 'ada') => mintToken({ sub, role: 'customer' }, SECRET)
const admin = () => mintToken({ sub: 'root', role: 'admin' }, SECRET)

let app: HttpApp
beforeAll(async () => {
  app = await createHttp({ service: 'auth-test', logger: false, jwtSecret: SECRET })
  app.get('/open', { config: { access: 'public' } }, async () => ({ ok: true }))
  app.get('/mine', { config: { access: 'authenticated' } }, async (request) => request.user)
  app.post('/catalogue', { config: { access: 'admin' } }, async () => ({ ok: true }))
  await app.ready()
})
afterAll(async () => app?.close())

describe('routes that need a token', () => {
  it('admit a valid customer token and know the caller by its subject and role', async () => {
    const res = await app.inject({ url: '/mine', headers: bearer(customer('ada')) })
    expect(res.statusCode).toBe(200)
    expect(res.json()).toEqual({ sub: 'ada', role: 'customer' })
  })

  it.each([
    ['no Authorization header', {}, 'token-missing'],
    ['another scheme than Bearer', { authorization: 'Basic YWRhOnB3' }, 'token-missing'],
    ['Bearer without a token', { authorization: 'Bearer ' }, 'token-invalid'],
    ['a token that is not a JWT', bearer('not.a.jwt'), 'token-invalid'],
    ['an expired token', bearer(mintToken({ sub: 'ada', role: 'customer' }, SECRET, -60)), 'token-expired'],
    ['a token signed with another key', bearer(mintToken({ sub: 'ada', role: 'customer' }, 'another-secret-another-secret-0123456789')), 'token-invalid'],
    ['a token whose payload was changed after signing', bearer(tamper(customer('ada'), { sub: 'grace', role: 'admin' })), 'token-invalid'],
    ['an unsigned token (alg none)', bearer(`${forge({ alg: 'none', typ: 'JWT' }, { sub: 'ada', role: 'admin', exp: now() + 60 }).split('.').slice(0, 2).join('.')}.`), 'token-invalid'],
    ['HS512 with the right key (only HS256 is accepted)', bearer(forge({ alg: 'HS512', typ: 'JWT' }, { sub: 'ada', role: 'customer', exp: now() + 60 }, SECRET, 'sha512')), 'token-invalid'],
    ['a token without expiry', bearer(forge({ alg: 'HS256', typ: 'JWT' }, { sub: 'ada', role: 'customer' })), 'token-invalid'],
    ['a token without a role', bearer(forge({ alg: 'HS256', typ: 'JWT' }, { sub: 'ada', exp: now() + 60 })), 'token-invalid'],
    ['an unknown role', bearer(forge({ alg: 'HS256', typ: 'JWT' }, { sub: 'ada', role: 'superuser', exp: now() + 60 })), 'token-invalid'],
    ['a subject that is not an id', bearer(forge({ alg: 'HS256', typ: 'JWT' }, { sub: 'ada lovelace\u202E', role: 'customer', exp: now() + 60 })), 'token-invalid'],
  ])('refuse %s with 401 JSON naming the rule', async (_what, headers, rule) => {
    const res = await app.inject({ url: '/mine', headers })
    expect(res.statusCode).toBe(401)
    expect(res.json()).toEqual({ error: 'unauthorized', message: expect.any(String), rule })
  })
})

describe('admin routes', () => {
  it('refuse a customer with 403 rule role', async () => {
    const res = await app.inject({ method: 'POST', url: '/catalogue', headers: bearer(customer()) })
    expect(res.statusCode).toBe(403)
    expect(res.json()).toEqual({ error: 'forbidden', message: expect.stringContaining('admin'), rule: 'role' })
  })

  it('refuse no token with 401 before anything else', async () => {
    const res = await app.inject({ method: 'POST', url: '/catalogue' })
    expect(res.statusCode).toBe(401)
  })

  it('admit an admin', async () => {
    expect((await app.inject({ method: 'POST', url: '/catalogue', headers: bearer(admin()) })).statusCode).toBe(200)
  })
})

describe('public routes', () => {
  it('need no token: a route that says so, and the documentation', async () => {
    expect((await app.inject({ url: '/open' })).statusCode).toBe(200)
    expect((await app.inject({ url: '/docs/json' })).statusCode).toBe(200)
  })

  it('the OpenAPI document says which routes need a bearer token', async () => {
    const doc = (await app.inject({ url: '/docs/json' })).json<{ paths: Record<string, Record<string, { security?: unknown }>> }>()
    expect(doc.paths['/mine']?.get?.security).toEqual([{ bearerAuth: [] }])
    expect(doc.paths['/open']?.get?.security).toBeUndefined()
  })
})

it('a route that does not say who may call it fails start-up', async () => {
  const strict = await createHttp({ service: 'auth-test', logger: false, jwtSecret: SECRET })
  expect(() => strict.get('/forgot', async () => ({}))).toThrow(/config\.access/)
  await strict.close()
})

/** The same signature over a different payload. */
function tamper(token: string, claims: Partial<TokenClaims>): string {
  const [header, payload, signature] = token.split('.') as [string, string, string]
  const changed = { ...JSON.parse(Buffer.from(payload, 'base64url').toString()), ...claims }
  return `${header}.${Buffer.from(JSON.stringify(changed)).toString('base64url')}.${signature}`
}
