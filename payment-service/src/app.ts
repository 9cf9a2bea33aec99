import type { FastifyServerOptions } from 'fastify'
import { eventsOf } from '@choreo/contracts'
import { attachService, createHttp } from '@choreo/platform'
import type { Config } from './config.ts'
import { migrations } from './migrations/index.ts'
import { customerRoutes } from './routes/customers/index.ts'
import { depositRoutes } from './routes/deposits/index.ts'
import { paymentRoutes } from './routes/payments/index.ts'
import { facts, saga } from './saga.ts'

export interface BuildOptions {
  logger?: FastifyServerOptions['logger']
}

/** Builds the payment-service app without listening, so tests can `inject()` requests. */
export async function build(config: Config, options: BuildOptions = {}) {
  const app = await createHttp({ service: 'payment-service', logger: options.logger ?? false, jwtSecret: config.JWT_SECRET })
  await attachService(app, {
    service: 'payment-service',
    config,
    migrations,
    publishes: eventsOf('payment'),
    saga,
    facts,
  })
  await app.register(customerRoutes)
  await app.register(depositRoutes)
  await app.register(paymentRoutes)
  return app
}
