// The cause of the events an HTTP request emits: the request id correlates the saga, its traceparent continues the trace.
import type { FastifyRequest } from 'fastify'
import { childTraceparent, type Cause } from '@choreo/messaging'

/** The cause of events an HTTP request emits: its id correlates the saga, its traceparent carries on. */
export function requestCause(request: FastifyRequest): Cause {
  const header = request.headers.traceparent
  return {
    correlationId: String(request.id),
    causationId: null,
    traceparent: childTraceparent(typeof header === 'string' ? header : undefined),
  }
}
