// The service skeleton: `defineService` builds a service's Fastify app from the platform's plugins and the service's own.
import type { FastifyInstance, FastifyPluginAsync, FastifyServerOptions } from 'fastify'
import type { Knex } from 'knex'
import type client from 'prom-client'
import type { Messaging } from '@choreo/messaging'
import type { EventType } from '@choreo/contracts'
import { createHttp, type HttpApp } from './http.ts'
import { databasePlugin, type DatabaseConfig } from './plugins/database.ts'
import { healthPlugin } from './plugins/health.ts'
import { messagingPlugin, type FactsPage, type SagaPage } from './plugins/messaging.ts'
import { metricsPlugin } from './plugins/metrics.ts'
import { outboxPlugin, type OutboxConfig } from './plugins/outbox.ts'

export { HEALTH_CHECK_TIMEOUT_MS } from './plugins/health.ts'
export type { FactsPage, SagaPage }

export interface ServiceConfig extends DatabaseConfig, OutboxConfig {}

export interface ServiceParts {
  db: Knex
  messaging: Messaging
  metrics: client.Registry
}

export interface PlatformOptions {
  service: string
  config: ServiceConfig
  migrations: Record<string, Knex.Migration>
  publishes: EventType[]
  saga: SagaPage
  /** Steps that record what other topics say, in a consumer group of their own (Messaging.start). */
  facts?: FactsPage
  /** false leaves out the `messaging` plugin: no relay, no consumer, no broker needed; the outbox still takes events. */
  messaging?: boolean
}

/**
 * Registers the platform's plugins, each after those it depends on: `db` (pool, migrations),
 * `metrics` (GET /metrics), `outbox` (app.messaging), `health` (GET /health) and `messaging`
 * (relay and consumers). Closing the app stops consuming, finishes the batch, stops the relay and
 * flushes the producers, then closes the pool: in that order, as onClose hooks run last-added first.
 */
export async function attachService(app: FastifyInstance, options: PlatformOptions): Promise<ServiceParts> {
  const { service, config } = options
  await app.register(databasePlugin, { config, migrations: options.migrations })
  await app.register(metricsPlugin, { service })
  await app.register(outboxPlugin, { service, config, publishes: options.publishes })
  await app.register(healthPlugin)
  if (options.messaging !== false) {
    await app.register(messagingPlugin, { saga: options.saga, ...(options.facts ? { facts: options.facts } : {}) })
  }
  return { db: app.db, messaging: app.messaging, metrics: app.metrics }
}

/** What every service reads beyond the platform's plugins: the key of its bearer tokens. */
export interface DefinedServiceConfig extends ServiceConfig {
  JWT_SECRET: string
}

/** One service: everything that differs from the next one. */
export interface ServiceDefinition<C extends DefinedServiceConfig> {
  name: string
  migrations: Record<string, Knex.Migration>
  /** Event types this service publishes (eventsOf). */
  publishes: EventType[]
  /** Its page of the saga, or how it follows from the config. */
  saga: SagaPage | ((config: C) => SagaPage)
  facts?: FactsPage
  /** The service's own plugins (src/plugins/), after the platform's: each names what it needs with fastify-plugin; or how they follow from the config. */
  plugins?: readonly FastifyPluginAsync[] | ((config: C) => readonly FastifyPluginAsync[])
  /** Registers the service's routes, last. */
  routes: (app: HttpApp, config: C) => Promise<void>
}

export interface BuildOptions {
  logger?: FastifyServerOptions['logger']
  /** false builds the app without the `messaging` plugin, for inject() tests of routes with no broker. */
  messaging?: boolean
}

export interface DefinedService<C extends DefinedServiceConfig> {
  name: string
  /** Builds the app without listening (server.ts listens), so tests can `inject()` requests. */
  build(config: C, options?: BuildOptions): Promise<HttpApp>
}

/**
 * The skeleton every service is built by: the HTTP base (createHttp), the platform's plugins
 * (attachService), the service's own plugins, then its routes.
 */
export function defineService<C extends DefinedServiceConfig>(definition: ServiceDefinition<C>): DefinedService<C> {
  return {
    name: definition.name,
    async build(config, options = {}) {
      const app = await createHttp({ service: definition.name, logger: options.logger ?? false, jwtSecret: config.JWT_SECRET })
      await attachService(app, {
        service: definition.name,
        config,
        migrations: definition.migrations,
        publishes: definition.publishes,
        saga: typeof definition.saga === 'function' ? definition.saga(config) : definition.saga,
        ...(definition.facts ? { facts: definition.facts } : {}),
        ...(options.messaging === false ? { messaging: false } : {}),
      })
      const plugins = typeof definition.plugins === 'function' ? definition.plugins(config) : (definition.plugins ?? [])
      for (const plugin of plugins) await app.register(plugin)
      await definition.routes(app, config)
      return app
    },
  }
}
