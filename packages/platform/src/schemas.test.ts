import fc from 'fast-check'
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
    ['only zero-width spaces', '\u200B\u200B'], ['only Hangul fillers', '\u3164\u3164'], ['a Mongolian vowel separator', '\u180E'],
    ['only soft hyphens', '\u00AD'], ['a byte-order mark', '\uFEFF'], ['a left-to-right mark and a space', '\u200E '],
    ['tag characters', '\u{E0041}\u{E0064}\u{E0061}'], ['a lone combining accent', '\u0301'], ['a Braille blank', '\u2800'],
    ['only private-use characters', '\uE000\u{F0000}'], ['an unassigned code point', '\u0378'], ['a noncharacter', '\uFFFF'],
  ])('refuses %s with 400 naming the field', async (_what, name) => {
    const res = await post(name)
    expect(res.statusCode).toBe(400)
    expect(res.json()).toMatchObject({ error: 'validation', field: 'name' })
  })
})

/** Characters that show nothing: white space, format characters, fillers, variation selectors, tags, lone accents. */
const INVISIBLE = [' ', '\u00A0', '\u3000', '\u200B', '\u200C', '\u200D', '\u200E', '\u2060', '\uFEFF', '\u00AD', '\u3164', '\u115F', '\u1160', '\uFFA0', '\u180E', '\uFE0F', '\u2800', '\u0301', '\u{E0020}', '\u{E007F}', '\uE000', '\u0378', '\uFFFF']
const VISIBLE = ['a', 'Z', '7', 'é', 'ß', '東', 'ש', '👩', '-', '.']

describe('Text, whatever invisible characters surround it', () => {
  it('refuses a name made only of invisible characters', async () => {
    await fc.assert(fc.asyncProperty(fc.array(fc.constantFrom(...INVISIBLE), { minLength: 1, maxLength: 12 }), async (chars) => {
      const res = await post(chars.join('').slice(0, 40))
      expect(res.statusCode).toBe(400)
    }), { numRuns: 200 })
  })

  it('accepts one with a visible character anywhere among them', async () => {
    const mixed = fc.tuple(fc.array(fc.constantFrom(...INVISIBLE), { maxLength: 8 }), fc.constantFrom(...VISIBLE), fc.array(fc.constantFrom(...INVISIBLE), { maxLength: 8 }))
    await fc.assert(fc.asyncProperty(mixed, async ([before, visible, after]) => {
      const res = await post([...before, visible, ...after].join(''))
      expect(res.statusCode).toBe(200)
    }), { numRuns: 200 })
  })
})
