import type { FastifyServerOptions } from 'fastify'
import { eventsOf } from '@choreo/contracts'
import { attachService, createHttp } from '@choreo/platform'
import type { Config } from './config.ts'
import { registerOrderMetrics } from './metrics.ts'
import { migrations } from './migrations/index.ts'
import { orderRoutes } from './routes/orders/index.ts'
import { saga } from './saga.ts'

export interface BuildOptions {
  logger?: FastifyServerOptions['logger']
}

/** Builds the order-service app without listening, so tests can `inject()` requests. */
export async function build(config: Config, options: BuildOptions = {}) {
  const app = await createHttp({ service: 'order-service', logger: options.logger ?? false, jwtSecret: config.JWT_SECRET })
  const { db, metrics } = await attachService(app, {
    service: 'order-service',
    config,
    migrations,
    publishes: eventsOf('order'),
    saga,
  })
  registerOrderMetrics(metrics, db)
  await app.register(orderRoutes, { ordersPerMinute: config.ORDER_RATE_LIMIT_PER_MINUTE })
  return app
}
