// JSON request bodies in UTF-8 only: another declared charset is a 415, invalid UTF-8 a 400, then Fastify's own prototype-safe parser.
import type { FastifyInstance } from 'fastify'
import { BadRequest, UnsupportedMediaType } from './errors.ts'

const UTF8 = new TextDecoder('utf-8', { fatal: true })
const CHARSET = /;\s*charset\s*=\s*"?([^";\s]+)"?/gi

/**
 * JSON bodies in UTF-8 only, as RFC 8259 requires between systems: a declared charset other than
 * UTF-8 is a 415 (it was parsed as UTF-8 anyway, into other text than was sent), and bytes that
 * are not valid UTF-8 are a 400 (they were stored and published as U+FFFD). Then Fastify's own
 * parser, which refuses __proto__ and constructor.prototype keys.
 */
export function strictJsonBodies(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error')
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    // Every charset parameter must say UTF-8: with two, which one a reader believes is a guess.
    const charsets = [...(request.headers['content-type'] ?? '').matchAll(CHARSET)].map((m) => m[1] ?? '')
    const other = charsets.find((charset) => !/^utf-?8$/i.test(charset))
    if (other !== undefined) {
      done(new UnsupportedMediaType(`a JSON body must be UTF-8, not ${other}`, 'charset'), undefined)
      return
    }
    let text: string
    try {
      text = UTF8.decode(body as Buffer)
    } catch {
      done(new BadRequest('the body is not valid UTF-8', { field: 'body', rule: 'utf-8' }), undefined)
      return
    }
    parse(request, text, done)
  })
}
