// The chaos load's HTTP client: requests spread over a service's live instances, retried through kills and restarts (all are safe to repeat).
import { setTimeout as sleep } from 'node:timers/promises'
import { bearer } from '@choreo/platform'
import type { Service } from './plan.ts'
import type { Random } from './random.ts'

/** A response; status 0 means no instance answered (killed, restarting) before the deadline. */
export interface ApiResponse {
  status: number
  body: unknown
  /** From a 429's Retry-After header. */
  retryAfterMs?: number
}

export interface Call {
  /** Bearer token: the customer's own for orders, an admin's for the rest. */
  token: string
  body?: unknown
  headers?: Record<string, string>
  /** Keep retrying unreachable, 5xx and 429 answers this long (only for requests safe to repeat). */
  retryForMs: number
}

export type Api = (service: Service, method: string, path: string, call: Call) => Promise<ApiResponse>

const REQUEST_TIMEOUT_MS = 10_000
const BACKOFF = { initialMs: 200, maxMs: 2000 } as const
const MAX_RETRY_AFTER_MS = 5000

/**
 * HTTP to the run's services, spreading requests over the instances that are up. Requests the
 * chaos makes fail (connection refused, 500 while PostgreSQL restarts) are retried until the
 * deadline: every request the load makes is safe to repeat (idempotency keys on what would
 * otherwise double an effect).
 */
export function createApi(deps: { ports(service: Service): number[]; random: Random }): Api {
  return async (service, method, path, call) => {
    const deadline = Date.now() + call.retryForMs
    let last: ApiResponse = { status: 0, body: null }
    for (let attempt = 0; ; attempt++) {
      const ports = deps.ports(service)
      let wait = Math.min(BACKOFF.maxMs, BACKOFF.initialMs * 2 ** attempt)
      if (ports.length > 0) {
        last = await once(deps.random.pick(ports), method, path, call)
        if (last.status !== 0 && last.status < 500 && last.status !== 429) return last
        if (last.retryAfterMs !== undefined) wait = Math.min(MAX_RETRY_AFTER_MS, last.retryAfterMs)
      }
      if (Date.now() + wait > deadline) return last
      await sleep(wait)
    }
  }
}

async function once(port: number, method: string, path: string, call: Call): Promise<ApiResponse> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, {
      method,
      headers: {
        ...bearer(call.token),
        ...(call.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...call.headers,
      },
      body: call.body === undefined ? undefined : JSON.stringify(call.body),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    })
    const text = await res.text()
    const retryAfter = Number(res.headers.get('retry-after') ?? Number.NaN)
    return { status: res.status, body: parse(text), ...(Number.isFinite(retryAfter) ? { retryAfterMs: retryAfter * 1000 } : {}) }
  } catch {
    return { status: 0, body: null }
  }
}

function parse(text: string): unknown {
  try {
    return text ? JSON.parse(text) : null
  } catch {
    return text
  }
}
