import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { createHttp } from './http.ts'
import { redactUrl } from './log-redaction.ts'
import { mintToken } from './tokens.ts'

const SECRET = 'unit-test-secret-0123456789abcdef0123'

describe('credentials in logged URLs', () => {
  it('redacts credential parameters by name and JWTs anywhere, and leaves the rest as it was', () => {
    expect(redactUrl('/orders?token=abc&limit=5')).toBe('/orders?token=[REDACTED]&limit=5')
    expect(redactUrl('/orders?Access_Token=abc')).toBe('/orders?Access_Token=[REDACTED]')
    expect(redactUrl('/orders?x=eyJhbGciOi.eyJzdWIi.sig-part_1')).toBe('/orders?x=[REDACTED]')
    expect(redactUrl('/t/eyJhbGciOi.eyJzdWIi.c2ln/x')).toBe('/t/[REDACTED]/x')
    expect(redactUrl('/orders/42?limit=5&after=2026')).toBe('/orders/42?limit=5&after=2026')
    expect(redactUrl('/orders')).toBe('/orders')
  })

  it('keeps a token given in the query string out of the service log, while the request is refused', async () => {
    const lines: string[] = []
    const stream = new Writable({ write(chunk: Buffer, _enc, done) { lines.push(chunk.toString()); done() } })
    const app = await createHttp({ service: 'test', logger: { level: 'info', stream }, jwtSecret: SECRET })
    app.get('/orders', { config: { access: 'authenticated' } }, async () => ({ ok: true }))
    const token = mintToken({ sub: 'ada', role: 'customer' }, SECRET)

    const byQuery = await app.inject({ url: `/orders?token=${token}` })
    const badHeader = await app.inject({ url: '/orders', headers: { authorization: `Bearer ${token}x` } })

    expect(byQuery.statusCode).toBe(401)
    expect(badHeader.statusCode).toBe(401)
    const log = lines.join('')
    expect(log).toContain('/orders?token=[REDACTED]')
    expect(log).not.toContain(token.split('.')[1])
    await app.close()
  })
})

describe('credentials in error answers', () => {
  it('does not echo a token in the URL back in a 404 or a 414 answer', async () => {
    const app = await createHttp({ service: 'test', logger: false, jwtSecret: SECRET })
    app.get('/orders/:orderId', { config: { access: 'public' } }, async () => ({ ok: true }))
    const token = mintToken({ sub: 'ada', role: 'customer' }, SECRET)

    const noRoute = await app.inject({ url: `/nope?token=${token}` })
    const tooLong = await app.inject({ url: `/orders/${token}` })

    expect(noRoute.statusCode).toBe(404)
    expect(noRoute.json().message).toBe('no route GET /nope?token=[REDACTED]')
    expect(tooLong.statusCode).toBe(414)
    for (const res of [noRoute, tooLong]) expect(res.body).not.toContain(token.split('.')[1])
    await app.close()
  })
})
