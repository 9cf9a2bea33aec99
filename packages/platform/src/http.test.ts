import { describe, expect, it } from 'vitest'
import { createHttp } from './http.ts'
import { IdempotencyKeyHeaders, idempotencyKeyOf } from './idempotency-key.ts'

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

describe('the OpenAPI document', () => {
  it('says Idempotency-Key is required where a route takes it, as idempotencyKeyOf enforces', async () => {
    const app = await createHttp({ service: 'test', logger: false, jwtSecret: 'unit-test-secret-0123456789abcdef0123' })
    app.post('/things', { config: { access: 'public' }, schema: { headers: IdempotencyKeyHeaders } }, async (request) => ({ key: idempotencyKeyOf(request.headers) }))
    await app.ready()
    const doc = (await app.inject({ url: '/docs/json' })).json<{ paths: Record<string, { post: { parameters: { in: string; name: string; required: boolean }[] } }> }>()
    expect(doc.paths['/things']?.post.parameters).toContainEqual(expect.objectContaining({ in: 'header', name: 'idempotency-key', required: true }))
    expect((await app.inject({ method: 'POST', url: '/things' })).json()).toMatchObject({ field: 'Idempotency-Key', rule: 'required' })
    await app.close()
  })
})
