// The duplicate-delivery fault: a tap samples the run's messages and re-produces some byte for byte on their partition, as a redelivery would.
import { setTimeout as sleep } from 'node:timers/promises'
import { readSpans, republish, spansOf, type OffsetsAdmin, type Republished } from '@choreo/messaging/operations'
import type { Kafka } from '../lib/clients.ts'
import type { Random } from './random.ts'

/** Messages kept to pick duplicates from: recent enough to race the originals, many enough to vary. */
const RESERVOIR_SIZE = 5000
/**
 * The last messages seen, and the share of copies taken from them. A redelivery after a
 * rebalance or a crash is of messages just handled, so it races the saga still in flight (a
 * payment landing a second time before the order ships), where a handler's status checks do not
 * protect it and only the inbox does; copies of old messages test the inbox alone.
 */
const RECENT_SIZE = 20
const RECENT_SHARE = 0.5
/** The tap follows the topics again this long after the broker dropped it. */
const TAP_RETRY_MS = 1000

export interface Duplicator {
  start(): void
  /** Re-produces up to `count` messages seen on the topics, byte for byte; how many the broker took. */
  inject(count: number): Promise<number>
  stop(): Promise<void>
}

/**
 * Duplicate delivery: a tap follows the run's event topics and keeps a sample of their messages
 * and the last few; a fault re-produces some of them with their exact key, value bytes and
 * headers, on the partition they came from, which is what a redelivery looks like to a consumer.
 */
export function createDuplicator(deps: { kafka: Kafka; offsets: OffsetsAdmin; topics: readonly string[]; random: Random }): Duplicator {
  const { kafka, offsets, topics, random } = deps
  const seen: Republished[] = []
  const recent: Republished[] = []
  const stopping = new AbortController()
  let tapping: Promise<void> = Promise.resolve()

  async function tap(): Promise<void> {
    while (!stopping.signal.aborted) {
      try {
        const spans = await spansOf(offsets, topics, { kind: 'end' }, true)
        for await (const m of readSpans(kafka, spans, { signal: stopping.signal })) {
          const copy = { topic: m.topic, partition: m.partition, key: m.key, value: m.value, headers: m.headers }
          if (seen.length < RESERVOIR_SIZE) seen.push(copy)
          else seen[random.int(0, RESERVOIR_SIZE - 1)] = copy
          recent.push(copy)
          if (recent.length > RECENT_SIZE) recent.shift()
        }
      } catch {
        // The broker went away under the tap (a Kafka fault): follow again once it is back.
        await sleep(TAP_RETRY_MS)
      }
    }
  }

  return {
    start() {
      tapping = tap()
    },

    async inject(count) {
      if (seen.length === 0) return 0
      const picks = Array.from({ length: count }, () => random.pick(random.chance(RECENT_SHARE) ? recent : seen))
      try {
        await republish(kafka, picks)
        return picks.length
      } catch {
        return 0 // the broker is away (another fault): counted as not delivered
      }
    },

    async stop() {
      stopping.abort()
      await tapping
    },
  }
}
