import { describe, expect, it } from 'vitest'
import { createHttp } from './http.ts'

describe('HTTP errors', () => {
  it('answers 503 with Retry-After, not 500, when the database pool is exhausted', async () => {
    const app = await createHttp({ service: 'test', logger: false, jwtSecret: 'unit-test-secret-0123456789abcdef0123' })
    app.get('/busy', { config: { access: 'public' } }, async () => {
      throw Object.assign(new Error('Knex: Timeout acquiring a connection. The pool is probably full.'), { name: 'KnexTimeoutError' })
    })
    const res = await app.inject({ url: '/busy' })
    expect(res.statusCode).toBe(503)
    expect(res.headers['retry-after']).toBe('1')
    expect(res.json()).toMatchObject({ error: 'unavailable', rule: 'database-unavailable' })
    await app.close()
  })

  it('still answers 500 without details for an unexpected error', async () => {
    const app = await createHttp({ service: 'test', logger: false, jwtSecret: 'unit-test-secret-0123456789abcdef0123' })
    app.get('/bug', { config: { access: 'public' } }, async () => { throw new TypeError('x is undefined') })
    const res = await app.inject({ url: '/bug' })
    expect(res.statusCode).toBe(500)
    expect(res.json()).toEqual({ error: 'internal', message: 'internal error' })
    await app.close()
  })
})
