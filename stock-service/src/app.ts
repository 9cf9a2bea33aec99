import type { FastifyServerOptions } from 'fastify'
import { eventsOf } from '@choreo/contracts'
import { attachService, createHttp } from '@choreo/platform'
import type { Config } from './config.ts'
import { createFulfilmentPoller } from './fulfilment-poller.ts'
import { migrations } from './migrations/index.ts'
import { productRoutes } from './routes/products/index.ts'
import { shipmentRoutes } from './routes/shipments/index.ts'
import { saga } from './saga.ts'

export interface BuildOptions {
  logger?: FastifyServerOptions['logger']
}

/** Builds the stock-service app without listening, so tests can `inject()` requests. */
export async function build(config: Config, options: BuildOptions = {}) {
  const app = await createHttp({ service: 'stock-service', logger: options.logger ?? false, jwtSecret: config.JWT_SECRET })
  await attachService(app, {
    service: 'stock-service',
    config,
    migrations,
    publishes: eventsOf('stock'),
    saga: saga({ delayMs: config.FULFILMENT_DELAY_MS }),
  })
  // Always polls, even with no delay: shipments scheduled under an earlier delay must still go out.
  const fulfilment = createFulfilmentPoller({ db: app.db, messaging: app.messaging, log: app.log })
  app.addHook('onReady', async () => { fulfilment.start() })
  // Before the pool and the relay close (onClose): the shipment in hand finishes first.
  app.addHook('preClose', async () => { await fulfilment.close() })
  await app.register(productRoutes)
  await app.register(shipmentRoutes)
  return app
}
