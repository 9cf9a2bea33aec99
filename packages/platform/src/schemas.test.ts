import { Type } from 'typebox'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHttp, type HttpApp } from './http.ts'
import { Text } from './schemas.ts'

// Through Fastify's own validator, which is what guards the routes.
let app: HttpApp
beforeAll(async () => {
  app = await createHttp({ service: 'schemas-test', logger: false, jwtSecret: 'unit-test-secret-for-bearer-tokens-0123456789' })
  app.post('/names', { config: { access: 'public' }, schema: { body: Type.Object({ name: Text(40) }) } }, async () => ({ ok: true }))
  await app.ready()
})
afterAll(async () => app?.close())

const post = (name: string) => app.inject({ method: 'POST', url: '/names', payload: { name } })

describe('Text', () => {
  it.each([
    ['accents', 'Zoë Brontë-Ødegård'], ['another script', '東京都千代田区'], ['right-to-left letters', 'שלום עולם'],
    ['an emoji joined with ZWJ', 'family 👩‍👩‍👧'], ['a Persian zero-width non-joiner', 'می‌خواهم'], ['inner spaces', 'Flat 3, 12 St James Sq'],
  ])('accepts %s', async (_what, name) => {
    expect((await post(name)).statusCode).toBe(200)
  })

  it.each([
    ['NUL', 'Ada\u0000Lovelace'], ['a newline', 'Ada\nLovelace'], ['a C1 control', 'Ada\u0085'], ['a lone surrogate', 'Ada\ud800'],
    ['a right-to-left override', 'invoice\u202Etxt.exe'], ['a left-to-right isolate', '\u2066Ada'], ['a line separator', 'Ada\u2028'],
    ['only spaces', '   '], ['nothing', ''],
  ])('refuses %s with 400 naming the field', async (_what, name) => {
    const res = await post(name)
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ error: 'validation', field: 'name' })
  })
})
