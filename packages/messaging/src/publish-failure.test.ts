import { createRequire } from 'node:module'
import { KafkaJSConnectionError, KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } from 'kafkajs'
import { describe, expect, it } from 'vitest'
import { InvalidEvent, RegistryError } from './errors.ts'
import { permanentFailure } from './publish-failure.ts'

// The errors as kafkajs builds them from a broker's error code, and as its retrier wraps them.
const require = createRequire(import.meta.url)
const { createErrorFromCode } = require('kafkajs/src/protocol/error.js') as { createErrorFromCode(code: number): Error & { type: string } }
const fromBroker = (code: number) => new KafkaJSProtocolError(createErrorFromCode(code))
const afterRetries = (e: Error) => new KafkaJSNumberOfRetriesExceeded(e, { retryCount: 5, retryTime: 3000 })
const MESSAGE_TOO_LARGE = 10
const UNKNOWN_TOPIC_OR_PARTITION = 3
const TOPIC_AUTHORIZATION_FAILED = 29
const NOT_LEADER_FOR_PARTITION = 6

describe('which publish failures are for good', () => {
  it('a record the broker refuses, as it comes or wrapped by the retrier', async () => {
    expect(await permanentFailure(fromBroker(MESSAGE_TOO_LARGE), ['t'])).toMatch(/^the broker refused it: MESSAGE_TOO_LARGE: /)
    expect(await permanentFailure(afterRetries(fromBroker(MESSAGE_TOO_LARGE)), ['t'])).toMatch(/MESSAGE_TOO_LARGE/)
  })

  it('a missing topic only when the cluster, asked again, does not list it', async () => {
    const unknown = afterRetries(fromBroker(UNKNOWN_TOPIC_OR_PARTITION))
    expect(await permanentFailure(unknown, ['a', 'gone'], async (t) => t !== 'gone')).toBe('topic gone does not exist')
    expect(await permanentFailure(unknown, ['a'], async () => true)).toBeNull()
    expect(await permanentFailure(unknown, ['a'], async () => { throw new Error('no broker') })).toBeNull()
    expect(await permanentFailure(unknown, ['a'])).toBeNull()
  })

  it('an event the relay cannot encode (a row from before the outbox held bytes), not a registry outage', async () => {
    expect(await permanentFailure(new InvalidEvent('OrderGiftWrapped', ['(unknown event type)']), ['t'])).toMatch(/^cannot be encoded: OrderGiftWrapped/)
    expect(await permanentFailure(new RegistryError('registry away', { retriable: true }), ['t'])).toBeNull()
  })

  it('not what an outage, a leader move or a missing permission looks like', async () => {
    for (const err of [
      afterRetries(fromBroker(NOT_LEADER_FOR_PARTITION)),
      fromBroker(TOPIC_AUTHORIZATION_FAILED),
      new KafkaJSConnectionError('Connection error: ECONNREFUSED'),
      new Error('anything else'),
    ]) expect(await permanentFailure(err, ['t']), String(err)).toBeNull()
  })
})
