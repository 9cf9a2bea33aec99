// The HTTP base every service app starts from: Fastify with TypeBox schemas, OpenAPI docs, auth, rate limits and JSON errors.
import { randomUUID } from 'node:crypto'
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyServerOptions } from 'fastify'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import { authPlugin } from './auth.ts'
import { coerceIntegerParameters } from './coerce-integers.ts'
import { classify } from '@choreo/messaging'
import { DomainError } from './errors.ts'
import { requireIdempotencyKeyInDocs } from './idempotency-key.ts'
import { strictJsonBodies } from './json-body.ts'
import { redactingLogger, redactTokens, redactUrl } from './log-redaction.ts'
import { registerRateLimit } from './rate-limit.ts'

/** Bodies beyond this are refused with 413 before they are parsed. */
export const BODY_LIMIT_BYTES = 64 * 1024

export interface HttpOptions {
  service: string
  logger: FastifyServerOptions['logger']
  /** HS256 key of the bearer tokens every non-public route requires. */
  jwtSecret: string
  version?: string
}

/**
 * The Fastify instance every service starts from: TypeBox schemas validate every route and
 * generate the OpenAPI document served at /docs/json (Swagger UI at /docs); every route registered after this says who may
 * call it (auth.ts) and may ask for a rate limit; every error leaves as JSON naming the field or
 * rule at fault.
 */
export async function createHttp(options: HttpOptions) {
  const app = Fastify({
    logger: redactingLogger(options.logger),
    bodyLimit: BODY_LIMIT_BYTES,
    // onReady waits for the consumer to join its group, which after a kill -9 waits out the dead
    // member's 30 s session: longer than Fastify's default 10 s, which made restarts crash-loop.
    pluginTimeout: 90_000,
    genReqId: (req) => {
      const given = req.headers['x-request-id']
      return typeof given === 'string' && /^[\w-]{1,64}$/.test(given) ? given : randomUUID()
    },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
    // What the router refuses before any route runs (a malformed URL, a path parameter over its
    // length limit): Fastify's own answer quotes the path, and a path can hold a token.
    frameworkErrors: (err, _request, reply) => {
      const status = err.statusCode ?? 400
      const answer = status >= 500 ? { error: 'internal', message: 'internal error' }
        : status === 414 ? { error: 'uri_too_long', message: redactTokens(err.message), rule: 'maxParamLength' }
        : { error: 'bad_request', message: redactTokens(err.message), rule: 'url' }
      void (reply as FastifyReply).status(status).send(answer)
    },
  }).withTypeProvider<TypeBoxTypeProvider>()

  app.addHook('preValidation', coerceIntegerParameters)
  strictJsonBodies(app)
  await app.register(swagger, {
    openapi: {
      info: { title: options.service, version: options.version ?? '1.0.0' },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
    transformObject: (document) => ('openapiObject' in document ? requireIdempotencyKeyInDocs(document.openapiObject) : document.swaggerObject),
  })
  // Registered before the auth plugin: the documentation stays public.
  await app.register(swaggerUi, { routePrefix: '/docs' })
  await app.register(authPlugin, { secret: options.jwtSecret })
  await registerRateLimit(app)

  app.setErrorHandler((err: FastifyError | DomainError, request, reply) => {
    if (err instanceof DomainError) {
      return reply.status(err.statusCode).send({
        error: err.code, message: err.message,
        ...(err.field ? { field: err.field } : {}), ...(err.rule ? { rule: err.rule } : {}), ...(err.details ?? {}),
      })
    }
    if (err.validation) {
      const [first] = err.validation
      const params = (first?.params ?? {}) as { missingProperty?: string; additionalProperty?: string }
      const path = [first?.instancePath?.replace(/^\//, '').replaceAll('/', '.'), params.missingProperty ?? params.additionalProperty].filter(Boolean).join('.')
      const where = err.validationContext ?? 'body'
      return reply.status(400).send({
        error: 'validation', message: `${where}${path ? `.${path}` : ''} ${first?.message ?? 'is invalid'}`,
        field: path || where, rule: first?.keyword ?? 'schema',
      })
    }
    if (classify(err) === 'outage') {
      // The database is away or its pool is exhausted: a retry later can succeed, so say so.
      request.log.warn({ err }, 'database unavailable')
      return reply.status(503).header('retry-after', '1').send({ error: 'unavailable', message: 'the database is busy or unavailable; retry later', rule: 'database-unavailable' })
    }
    const status = err.statusCode ?? 500
    if (status >= 500) request.log.error({ err }, 'request failed')
    return reply.status(status).send({
      error: status >= 500 ? 'internal' : (err.code ?? 'bad_request').toLowerCase(),
      message: status >= 500 ? 'internal error' : redactTokens(err.message), // Fastify's own messages can quote the URL
      ...(status === 413 ? { rule: 'bodyLimit' } : {}),
      ...(err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || err.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ? { rule: 'contentType' } : {}),
      ...(err instanceof SyntaxError || err.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ? { rule: 'json', field: 'body' } : {}),
    })
  })
  app.setNotFoundHandler((request, reply) => reply.status(404).send({ error: 'not_found', message: `no route ${request.method} ${redactUrl(request.url)}` }))
  return app
}

export type HttpApp = Awaited<ReturnType<typeof createHttp>>
export type { FastifyInstance }
