import { Type } from 'typebox'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHttp, type HttpApp } from './http.ts'

let app: HttpApp
let received: unknown[] = []
beforeAll(async () => {
  app = await createHttp({ service: 'json-body-test', logger: false, jwtSecret: 'unit-test-secret-for-bearer-tokens-0123456789' })
  app.post('/names', { config: { access: 'public' }, schema: { body: Type.Object({ name: Type.String() }) } }, async (request) => {
    received.push(request.body)
    return { ok: true }
  })
  await app.ready()
})
afterAll(async () => app?.close())

const post = (payload: Buffer | string, contentType: string) => app.inject({ method: 'POST', url: '/names', payload, headers: { 'content-type': contentType } })

describe('JSON bodies', () => {
  it('accepts UTF-8, declared or not', async () => {
    received = []
    for (const type of ['application/json', 'application/json; charset=utf-8', 'application/json;charset="UTF-8"', 'application/json; charset=utf8']) {
      expect((await post(Buffer.from(JSON.stringify({ name: 'Zoë 東京' }), 'utf8'), type)).statusCode).toBe(200)
    }
    expect(received).toEqual(Array(4).fill({ name: 'Zoë 東京' }))
  })

  it('refuses bytes that are not valid UTF-8 with 400, instead of storing U+FFFD', async () => {
    received = []
    const invalid = Buffer.concat([Buffer.from('{"name":"Zo'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')])
    const res = await post(invalid, 'application/json')
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ field: 'body', rule: 'utf-8' })
    expect(received).toEqual([])
  })

  it.each(['utf-16', 'latin1', 'iso-8859-1', 'windows-1252', 'utf-8; charset=utf-16'])('refuses a body declared %s with 415 naming the charset', async (charset) => {
    received = []
    const res = await post(Buffer.from(JSON.stringify({ name: 'Zoe' }), 'latin1'), `application/json; charset=${charset}`)
    expect(res.statusCode).toBe(415)
    expect(res.json()).toMatchObject({ error: 'unsupported_media_type', field: 'content-type', rule: 'charset' })
    expect(received).toEqual([])
  })

  it('still refuses prototype pollution keys', async () => {
    const res = await post('{"name":"x","__proto__":{"admin":true}}', 'application/json')
    expect(res.statusCode).toBe(400)
  })
})
