// A service's messaging wired in one place: outbox, relay, codec and saga (and facts) consumers over its database and Kafka, with defaults.
import type { Knex } from 'knex'
import type { Kafka, Producer } from 'kafkajs'
import type client from 'prom-client'
import { deadLetterTopic, declaredTopics, factsGroupOf, prefixed, type EventType } from '@choreo/contracts'
import { ensureTopics } from './admin.ts'
import { createEventCodec, type EventCodec } from './avro.ts'
import { createFactsWatch, type FactsWatch } from './facts-watch.ts'
import { createSagaConsumer, type ConsumerOptions, type SagaConsumer } from './consumer.ts'
import { topicsOf, type Saga } from './saga.ts'
import { dialectOf, type Dialect } from './dialects/index.ts'
import { createKafka, createProducer, type KafkaSasl } from './kafka.ts'
import type { Logger } from './logger.ts'
import { createMessagingMetrics, type MessagingMetrics } from './metrics.ts'
import { missingTopics } from './offsets.ts'
import { createOutbox, type Outbox } from './outbox.ts'
import { createRelay, type Relay, type RelayOptions } from './relay.ts'

export interface MessagingConfig {
  /** Names the Kafka client, the relay's lease and the consumer group. */
  service: string
  brokers: string[]
  sasl?: KafkaSasl
  registryUrl: string
  /** Event types this service publishes: registered with the registry at start. */
  publishes: EventType[]
  relay?: Partial<RelayOptions>
  consumer?: Partial<ConsumerOptions>
  schemasDir?: string
  /** Prefix of every topic name; empty in production, unique per test file. */
  topicPrefix?: string
}

export const defaultRelayOptions: Omit<RelayOptions, 'name'> = {
  batchSize: 1000,
  pollIntervalMs: 200,
  listeningPollIntervalMs: 1000,
  // Under load a relay reads every few milliseconds, so nearly every mark goes with a read;
  // a relay that stops meanwhile marks first, and a crash sends up to this much again.
  markDelayMs: 100,
  leaseRetryMs: 1000,
  // A silent lease connection is handed over within 10 s + leaseRetryMs. A healthy relay is never
  // idle that long (heartbeat every 3.3 s, statements every poll interval), and a lease cut by
  // mistake costs a takeover and some duplicates, not a loss.
  leaseIdleTimeoutMs: 10_000,
  retentionMs: 24 * 3600_000,
  purgeIntervalMs: 60_000,
  purgeBatchSize: 1000,
  // 100,000 rows a minute at most: nearly four times what two cores publish at the saga's knee
  // (50 orders/s × 9 events = 27,000 rows a minute, over the three databases together).
  purgeBatchesPerPass: 100,
  backoff: { initialMs: 100, maxMs: 5000 },
}

export const defaultConsumerOptions: Omit<ConsumerOptions, 'group' | 'topicPrefix' | 'deadLetterTopic'> = {
  alertAfterContentionAttempts: 5,
  // Eight days: an event can come again for as long as it is on its topic (log.retention.hours=168
  // in infra/kafka, compose's default too), by a replay or a group whose offsets expired (offsets are
  // kept 7 days) starting over from the earliest; a day more for a replay started late.
  inboxPurge: { retentionMs: 8 * 24 * 3600_000, intervalMs: 60_000, batchSize: 1000, batchesPerPass: 100 },
  backoff: { initialMs: 50, maxMs: 5000 },
  partitionsConsumedConcurrently: 3,
  // A run of up to 50 events in one transaction: one commit (one WAL flush) instead of 50 under
  // load; at 50 a run holds its locks for a few tens of milliseconds at most.
  eventsPerTransaction: 50,
  batchLockWaitMs: 100,
  // One offset commit a second per consumer, instead of one per fetched batch (at low rates, one
  // per event): kafkajs is patched to honour the interval after each batch, when idle and on stop.
  offsetCommitIntervalMs: 1000,
}

export interface Messaging {
  readonly outbox: Outbox
  readonly codec: EventCodec
  readonly dialect: Dialect
  readonly kafka: Kafka
  readonly relay: Relay
  readonly metrics: MessagingMetrics | undefined
  /** Runs `work` in a transaction and wakes the relay once it has committed. */
  transaction<T>(work: (trx: Knex.Transaction) => Promise<T>): Promise<T>
  /**
   * Registers schemas, starts the relay and, given a saga, the consumer. Given `facts` too (a page
   * whose steps record what other topics say, emitting nothing), a second consumer, group
   * `<group>.facts`, records them, and the saga's steps may throw UnconfirmedEvent to wait for it.
   */
  start(saga?: Saga, facts?: Saga): Promise<void>
  /** Graceful: stop consuming, finish the batch, stop the relay, flush and close producers. */
  close(): Promise<void>
  /** Whether the broker answers right now. */
  kafkaReachable(): Promise<boolean>
}

/** Everything a service needs to publish through its outbox and react to others' events. */
export function createMessaging(db: Knex, config: MessagingConfig, logger: Logger, registry?: client.Registry): Messaging {
  const dialect = dialectOf(db)
  const codec = createEventCodec({ registryUrl: config.registryUrl, schemasDir: config.schemasDir })
  const kafka = createKafka({ clientId: config.service, brokers: config.brokers, ...(config.sasl ? { sasl: config.sasl } : {}) }, logger)
  const metrics = registry ? createMessagingMetrics(registry, db) : undefined
  const outbox = createOutbox({ codec, dialect, topicPrefix: config.topicPrefix ?? '' })
  const relay = createRelay({
    db, dialect, codec, logger: logger.child({ component: 'relay' }), metrics,
    createProducer: () => createProducer(kafka),
    topicExists: async (topic) => (await missingTopics(kafka, [topic])).length === 0,
    options: { ...defaultRelayOptions, ...config.relay, name: config.service },
  })
  let consumer: SagaConsumer | null = null
  let factsConsumer: SagaConsumer | null = null
  let deadLetterProducer: Producer | null = null

  return {
    outbox, codec, dialect, kafka, relay, metrics,

    async transaction(work) {
      const result = await db.transaction(work)
      relay.wake()
      return result
    },

    async start(saga, facts) {
      await codec.register(config.publishes)
      relay.start()
      // A service that reacts to nothing (a saga with no handlers) has nothing to consume.
      if (!saga || Object.keys(saga).length === 0) return
      deadLetterProducer = createProducer(kafka)
      await deadLetterProducer.connect()
      const topicPrefix = config.topicPrefix ?? ''
      const base = {
        ...defaultConsumerOptions,
        ...config.consumer,
        topicPrefix,
        deadLetterTopic: prefixed(topicPrefix, deadLetterTopic(config.service)),
      }
      // Prefixed like the topics, so two stacks (or test files) on one broker never share a group.
      const group = config.consumer?.group ?? prefixed(topicPrefix, config.service)
      const consumerOf = (page: Saga, options: ConsumerOptions, watch?: FactsWatch) => createSagaConsumer({
        kafka, db, dialect, codec, outbox, saga: page, producer: deadLetterProducer!,
        logger: logger.child({ component: 'consumer' }), metrics,
        onCommitted: () => relay.wake(),
        ...(watch ? { facts: watch } : {}),
        options,
      })
      if (facts && Object.keys(facts).length > 0) {
        const factsGroup = factsGroupOf(group)
        factsConsumer = consumerOf(facts, { ...base, group: factsGroup })
        consumer = consumerOf(saga, { ...base, group }, createFactsWatch(kafka, factsGroup, topicsOf(facts, topicPrefix)))
        await factsConsumer.start()
      } else {
        consumer = consumerOf(saga, { ...base, group })
      }
      await consumer.start()
    },

    async close() {
      await Promise.all([consumer?.stop(), factsConsumer?.stop()])
      await relay.stop()
      await deadLetterProducer?.disconnect()
    },

    async kafkaReachable() {
      // One try: a health check answers now, it does not wait out the client's retries.
      const admin = kafka.admin({ retry: { retries: 0 } })
      try {
        await admin.connect()
        await admin.describeCluster()
        return true
      } catch {
        return false
      } finally {
        await admin.disconnect().catch(() => {})
      }
    },
  }
}

export { declaredTopics, ensureTopics }
