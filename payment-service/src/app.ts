import type { FastifyServerOptions } from 'fastify'
import { eventsOf } from '@choreo/contracts'
import { attachService, createHttp } from '@choreo/platform'
import type { Config } from './config.ts'
import { migrations } from './migrations/index.ts'
import { saga } from './saga.ts'

export interface BuildOptions {
  logger?: FastifyServerOptions['logger']
  /** Tests give each run a consumer group of its own. */
  consumerGroup?: string
}

/** Builds the payment-service app without listening, so tests can `inject()` requests. */
export async function build(config: Config, options: BuildOptions = {}) {
  const app = await createHttp({ service: 'payment-service', logger: options.logger ?? false })
  await attachService(app, {
    service: 'payment-service',
    config,
    migrations,
    publishes: eventsOf('payment'),
    saga,
    messaging: { consumerGroup: options.consumerGroup },
  })
  return app
}
