// The `outbox` plugin: `app.messaging`, through which routes and steps write events in their transaction; it opens no connection.
import fp from 'fastify-plugin'
import { createMessaging, type Logger, type Messaging } from '@choreo/messaging'
import type { EventType } from '@choreo/contracts'
import { brokersOf, kafkaSaslOf, type KafkaSaslConfig } from '../config.ts'

export interface OutboxConfig extends KafkaSaslConfig {
  KAFKA_BROKERS: string
  SCHEMA_REGISTRY_URL: string
  TOPIC_PREFIX: string
  CONSUMER_EVENTS_PER_TRANSACTION: number
}

export interface OutboxPluginOptions {
  service: string
  config: OutboxConfig
  /** Event types this service publishes: registered with the registry when messaging starts. */
  publishes: EventType[]
}

declare module 'fastify' {
  interface FastifyInstance {
    messaging: Messaging
  }
}

/**
 * Creates the service's messaging as `app.messaging` (its metrics in `app.metrics`) without
 * starting it: `messaging.transaction` and `messaging.outbox.enqueue` write outbox rows, and the
 * `messaging` plugin, when registered, starts the relay that publishes them and the consumers.
 */
export const outboxPlugin = fp<OutboxPluginOptions>(async (app, { service, config, publishes }) => {
  const sasl = kafkaSaslOf(config)
  app.decorate('messaging', createMessaging(app.db, {
    service,
    brokers: brokersOf(config.KAFKA_BROKERS),
    ...(sasl ? { sasl } : {}),
    registryUrl: config.SCHEMA_REGISTRY_URL,
    publishes,
    topicPrefix: config.TOPIC_PREFIX,
    consumer: { eventsPerTransaction: config.CONSUMER_EVENTS_PER_TRANSACTION },
  }, app.log as unknown as Logger, app.metrics))
}, { name: 'outbox', dependencies: ['db', 'metrics'], fastify: '5.x' })
