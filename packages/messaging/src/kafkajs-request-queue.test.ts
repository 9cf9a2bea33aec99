import { createRequire } from 'node:module'
import { afterEach, describe, expect, it } from 'vitest'

// kafkajs's request queue (patches/kafkajs@2.2.4.patch), driven without a socket. Node emits
// TimeoutNegativeWarning once per process: the test that listens for it runs first.
const require = createRequire(import.meta.url)

interface RequestQueue {
  throttleCheckTimeoutId: unknown
  fulfillRequest(response: { correlationId: number; payload: Buffer; size: number }): void
  destroy(): void
}
const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as new (options: object) => RequestQueue

const quiet = { debug() {}, info() {}, warn() {}, error() {} }
const queues: RequestQueue[] = []

function createQueue(): RequestQueue {
  const queue = new RequestQueue({ maxInFlightRequests: 1, requestTimeout: 30_000, enforceRequestTimeout: false, clientId: 'test', broker: 'a:9092', logger: quiet })
  queues.push(queue)
  return queue
}

/** A response arriving while nothing is pending and nothing throttled: the state after every answered request. */
const answer = (queue: RequestQueue): void => queue.fulfillRequest({ correlationId: 1, payload: Buffer.alloc(0), size: 0 })

afterEach(() => {
  for (const queue of queues.splice(0)) queue.destroy()
})

describe("kafkajs's request queue (patched)", () => {
  it('sets no negative timeout, so Node 24 prints no TimeoutNegativeWarning', async () => {
    const warnings: string[] = []
    const onWarning = (w: Error): void => { warnings.push(w.name) }
    process.on('warning', onWarning)
    try {
      answer(createQueue()) // unpatched: setTimeout(throttledUntil - Date.now()) with throttledUntil = -1
      await new Promise((resolve) => setImmediate(resolve)) // process.emitWarning delivers on the next tick
      expect(warnings).not.toContain('TimeoutNegativeWarning')
    } finally {
      process.off('warning', onWarning)
    }
  })

  it('schedules no check when nothing is pending or throttled, instead of one every millisecond for ever', () => {
    const queue = createQueue()
    answer(queue)
    expect(queue.throttleCheckTimeoutId).toBeNull()
  })
})
