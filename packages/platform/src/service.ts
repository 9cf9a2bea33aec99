import type { FastifyInstance } from 'fastify'
import type { Knex } from 'knex'
import client from 'prom-client'
import { createMessaging, type Messaging, type Saga, type Logger } from '@choreo/messaging'
import type { EventType } from '@choreo/contracts'
import { brokersOf, databaseSessionOf, kafkaSaslOf, type DatabaseSessionConfig, type KafkaSaslConfig } from './config.ts'
import { createDb, databaseReachable } from './db.ts'
import { migrate } from './migrate.ts'

/**
 * Each check of GET /health gives its answer within this, or counts as down: a broker that takes
 * its time must not hide a healthy database (nor the reverse), and a prober gets an answer.
 */
export const HEALTH_CHECK_TIMEOUT_MS = 2000

async function within(check: Promise<boolean>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), ms) })
  try {
    return await Promise.race([check, late])
  } finally {
    clearTimeout(timer)
  }
}

export interface ServiceConfig extends KafkaSaslConfig, DatabaseSessionConfig {
  KAFKA_BROKERS: string
  SCHEMA_REGISTRY_URL: string
  DATABASE_CLIENT: 'pg' | 'mssql'
  DATABASE_URL: string
  DATABASE_POOL_MAX: number
  MIGRATE_ON_START: boolean
  TOPIC_PREFIX: string
}

export interface ServiceParts {
  db: Knex
  messaging: Messaging
  metrics: client.Registry
}

declare module 'fastify' {
  interface FastifyInstance {
    db: Knex
    messaging: Messaging
  }
}

/**
 * Wires a service's database and messaging into its Fastify app: migrations, the relay, the
 * saga consumer, `GET /health` and `GET /metrics`. Closing the app stops consuming, finishes the
 * batch, stops the relay and flushes the producers, then closes the pool: in that order.
 */
export async function attachService(app: FastifyInstance, options: {
  service: string
  config: ServiceConfig
  migrations: Record<string, Knex.Migration>
  publishes: EventType[]
  saga: Saga
  /** Steps that record what other topics say, in a consumer group of their own (Messaging.start). */
  facts?: Saga
  /** Relay tuning, for tests. */
  messaging?: { pollIntervalMs?: number }
}): Promise<ServiceParts> {
  const { config } = options
  const sasl = kafkaSaslOf(config)
  const db = createDb({ client: config.DATABASE_CLIENT, url: config.DATABASE_URL, poolMax: config.DATABASE_POOL_MAX, ...databaseSessionOf(config) })
  if (config.MIGRATE_ON_START) await migrate(db, options.migrations)
  const metrics = new client.Registry()
  metrics.setDefaultLabels({ service: options.service })
  client.collectDefaultMetrics({ register: metrics })
  const messaging = createMessaging(db, {
    service: options.service,
    brokers: brokersOf(config.KAFKA_BROKERS),
    ...(sasl ? { sasl } : {}),
    registryUrl: config.SCHEMA_REGISTRY_URL,
    publishes: options.publishes,
    topicPrefix: config.TOPIC_PREFIX,
    ...(options.messaging?.pollIntervalMs ? { relay: { pollIntervalMs: options.messaging.pollIntervalMs } } : {}),
  }, app.log as unknown as Logger, metrics)

  app.decorate('db', db)
  app.decorate('messaging', messaging)
  app.addHook('onReady', async () => {
    await messaging.start(options.saga, options.facts)
  })
  app.addHook('onClose', async () => {
    await messaging.close()
    await db.destroy()
  })

  app.get('/health', {
    config: { access: 'public' },
    schema: {
      summary: 'Database and Kafka state',
      response: {
        200: { type: 'object', properties: { status: { type: 'string' }, database: { type: 'string' }, kafka: { type: 'string' }, relay: { type: 'string' } } },
        503: { type: 'object', properties: { status: { type: 'string' }, database: { type: 'string' }, kafka: { type: 'string' }, relay: { type: 'string' } } },
      },
    },
  }, async (_request, reply) => {
    const [database, kafka] = await Promise.all([
      within(databaseReachable(db), HEALTH_CHECK_TIMEOUT_MS),
      within(messaging.kafkaReachable(), HEALTH_CHECK_TIMEOUT_MS),
    ])
    const body = {
      status: database && kafka ? 'up' : 'down',
      database: database ? 'up' : 'down',
      kafka: kafka ? 'up' : 'down',
      relay: messaging.relay.holdsLease ? 'active' : 'standby',
    }
    return reply.status(database && kafka ? 200 : 503).send(body)
  })

  app.get('/metrics', { config: { access: 'public' }, schema: { hide: true } }, async (_request, reply) => {
    return reply.type(metrics.contentType).send(await metrics.metrics())
  })

  return { db, messaging, metrics }
}
