// W3C traceparent headers: a saga keeps one trace id from the HTTP request through every event, each hop with a span of its own.
import { randomBytes } from 'node:crypto'

// W3C Trace Context: version-traceid-parentid-flags. A saga keeps one trace id from the HTTP
// request through every event it causes; each hop gets a span id of its own.
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/

export function newTraceparent(): string {
  return `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-01`
}

/** A child span of `parent`, or a fresh trace when `parent` is absent or malformed. */
export function childTraceparent(parent: string | undefined): string {
  const m = parent ? TRACEPARENT.exec(parent) : null
  return m ? `00-${m[1]}-${randomBytes(8).toString('hex')}-${m[3]}` : newTraceparent()
}

export function traceIdOf(traceparent: string | undefined): string | undefined {
  return traceparent ? TRACEPARENT.exec(traceparent)?.[1] : undefined
}
