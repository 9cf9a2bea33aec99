// Rate limits for the routes that ask for one (config.rateLimit), counted per caller in the process.
import type { FastifyInstance } from 'fastify'
import rateLimit, { type RateLimitOptions } from '@fastify/rate-limit'
import { callerOf } from './auth.ts'
import { TooManyRequests } from './errors.ts'

const MINUTE_MS = 60_000

/**
 * Rate limits for the routes that ask for one (`config.rateLimit`), none for the others. Counts
 * live in the process: two instances of a service each allow the limit.
 */
export async function registerRateLimit(app: FastifyInstance): Promise<void> {
  await app.register(rateLimit, {
    global: false,
    // Thrown by the plugin after it has set Retry-After; the error handler renders it as JSON.
    errorResponseBuilder: (_request, context) => new TooManyRequests(`at most ${context.max} requests in this window; retry in ${context.after}`),
  })
}

/** A route's limit per caller (the token's subject), so one customer cannot starve the others. */
export function perCallerPerMinute(max: number): RateLimitOptions {
  return { max, timeWindow: MINUTE_MS, keyGenerator: (request) => callerOf(request).sub }
}
