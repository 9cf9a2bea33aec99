// The auth plugin: HS256 bearer tokens checked on every route, each route saying who may call it (public, authenticated or admin).
import fastifyJwt from '@fastify/jwt'
import type { FastifyRequest, FastifySchema, RouteOptions } from 'fastify'
import fp from 'fastify-plugin'
import { Forbidden, Unauthorized } from './errors.ts'
import { ErrorBody, ID_PATTERN } from './schemas.ts'
import type { Role, TokenClaims } from './tokens.ts'

/**
 * Who may call a route. `authenticated`: any valid token, and the handler keeps customers to
 * what is theirs (ownership.ts); `admin`: the admin role only.
 */
export type Access = 'public' | 'authenticated' | 'admin'

/** Whom a verified token names. */
export type Caller = TokenClaims

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Required on every route registered after the auth plugin: a route that forgets fails start-up. */
    access?: Access
  }
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: TokenClaims
    user: Caller
  }
}

const ROLES: readonly Role[] = ['customer', 'admin']
const SUBJECT = new RegExp(ID_PATTERN)

/**
 * Bearer tokens (HS256, signed with JWT_SECRET, `{ sub, role }`, expiry required) on every route
 * registered after it. Each route says who may call it in `config.access`; the guard runs
 * first in its onRequest hooks, so nothing else (rate limit, body parsing) sees an anonymous caller.
 */
export const authPlugin = fp<{ secret: string }>(async (app, { secret }) => {
  await app.register(fastifyJwt, {
    secret,
    sign: { algorithm: 'HS256' },
    verify: { algorithms: ['HS256'], requiredClaims: ['sub', 'role', 'exp'] },
  })
  app.addHook('onRoute', (route) => {
    const access = route.config?.access
    if (access === undefined) throw new Error(`route ${String(route.method)} ${route.url} does not say who may call it (config.access)`)
    if (access === 'public') return
    route.onRequest = [guard(access), ...[route.onRequest ?? []].flat()]
    route.schema = documented(route)
  })
}, { name: 'choreo-auth' })

function guard(access: Exclude<Access, 'public'>) {
  return async (request: FastifyRequest): Promise<void> => {
    const caller = await authenticate(request)
    if (access === 'admin' && caller.role !== 'admin') {
      throw new Forbidden(`${request.method} ${request.routeOptions.url ?? request.url} needs the admin role`, 'role')
    }
  }
}

async function authenticate(request: FastifyRequest): Promise<Caller> {
  let claims: TokenClaims
  try {
    claims = await request.jwtVerify<TokenClaims>()
  } catch (err) {
    throw unauthorized(err)
  }
  if (typeof claims.sub !== 'string' || !SUBJECT.test(claims.sub) || !ROLES.includes(claims.role)) {
    throw new Unauthorized('the bearer token must name a subject (letters, digits, _ and -) and a role (customer or admin)', 'token-invalid')
  }
  request.user = { sub: claims.sub, role: claims.role }
  return request.user
}

function unauthorized(err: unknown): Unauthorized {
  const code = (err as { code?: unknown }).code
  if (code === 'FST_JWT_NO_AUTHORIZATION_IN_HEADER') return new Unauthorized('a bearer token is required: Authorization: Bearer <token>', 'token-missing')
  if (code === 'FST_JWT_AUTHORIZATION_TOKEN_EXPIRED') return new Unauthorized('the bearer token has expired', 'token-expired')
  // A bad signature, another algorithm, no expiry, or not a JWT at all: the caller needs not know which.
  return new Unauthorized('the bearer token is not valid here', 'token-invalid')
}

/** The caller of a route that is not public (its guard has verified the token). */
export function callerOf(request: FastifyRequest): Caller {
  const user: Caller | null = request.user
  if (!user) throw new Unauthorized('a bearer token is required: Authorization: Bearer <token>', 'token-missing')
  return user
}

/** OpenAPI: the route needs a bearer token, and may answer 401 or 403. */
function documented(route: RouteOptions): FastifySchema {
  const schema = route.schema ?? {}
  const response = schema.response as Record<string, unknown> | undefined
  return {
    ...schema,
    security: [{ bearerAuth: [] }],
    ...(response ? { response: { 401: ErrorBody, 403: ErrorBody, ...response } } : {}),
  }
}
