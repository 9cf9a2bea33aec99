// Admin-only access: a token given once as ?token= becomes an HttpOnly, SameSite=Strict cookie; every other request without a valid one gets 401.
import { createVerifier } from 'fast-jwt'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { TokenClaims } from '@choreo/platform'
import { html } from './html.ts'

const COOKIE = 'explorer_session'

declare module 'fastify' {
  interface FastifyRequest {
    /** The admin the session's token names. */
    admin: string
  }
}

/** The cookie's value, from a Cookie header (the only cookie the explorer sets). */
function cookieOf(request: FastifyRequest): string | undefined {
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const at = part.indexOf('=')
    if (at > 0 && part.slice(0, at).trim() === COOKIE) return part.slice(at + 1).trim()
  }
  return undefined
}

/** The URL without its token parameter, where the login redirects. */
function withoutToken(url: string): string {
  const parsed = new URL(url, 'http://explorer.invalid')
  parsed.searchParams.delete('token')
  return `${parsed.pathname}${parsed.search}`
}

function refuse(reply: FastifyReply, why: string): FastifyReply {
  return reply.status(401).type('text/html; charset=utf-8').send(html`<!doctype html><meta charset="utf-8"><title>401 · saga explorer</title>
<h1>Not logged in</h1><p>${why}</p><p>Open the URL <code>./choreo explorer</code> prints: it logs in with a short-lived admin token.</p>`.value)
}

/**
 * Guards every route: the services' HS256 admin tokens (the same JWT_SECRET, expiry required). A
 * valid `?token=` sets the cookie for the token's remaining life and redirects to the same URL
 * without it, so the token leaves the address bar and the history; SameSite=Strict keeps other
 * sites' pages from sending the cookie, so they cannot post a redrive.
 */
export function registerSession(app: FastifyInstance, jwtSecret: string): void {
  const verify = createVerifier({ key: jwtSecret, algorithms: ['HS256'], requiredClaims: ['sub', 'role', 'exp'] })
  const adminOf = (token: string): { sub: string; exp: number } | string => {
    try {
      const claims = verify(token) as TokenClaims & { exp: number }
      return claims.role === 'admin' ? { sub: claims.sub, exp: claims.exp } : 'the token is not an admin\'s'
    } catch (err) {
      return (err as { code?: string }).code === 'FAST_JWT_EXPIRED' ? 'the token has expired' : 'the token is not valid'
    }
  }
  app.decorateRequest('admin', '')
  app.addHook('onRequest', async (request, reply) => {
    const given = (request.query as Record<string, unknown> | undefined)?.token
    if (typeof given === 'string') {
      const admin = adminOf(given)
      if (typeof admin === 'string') return refuse(reply, admin)
      const maxAge = Math.max(0, admin.exp - Math.floor(Date.now() / 1000))
      return reply.header('set-cookie', `${COOKIE}=${given}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAge}`)
        .redirect(withoutToken(request.url), 303)
    }
    const token = cookieOf(request)
    if (token === undefined) return refuse(reply, 'no session')
    const admin = adminOf(token)
    if (typeof admin === 'string') return refuse(reply, admin)
    request.admin = admin.sub
  })
}
