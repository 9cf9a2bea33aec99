// stock-service as the platform's skeleton builds it: its migrations, saga page, fulfilment poller and routes.
import { eventsOf } from '@choreo/contracts'
import { defineService } from '@choreo/platform/http'
import type { Config } from './config.ts'
import { migrations } from './migrations/index.ts'
import { fulfilmentPollerPlugin } from './plugins/fulfilment-poller.ts'
import { productRoutes } from './routes/products/index.ts'
import { shipmentRoutes } from './routes/shipments/index.ts'
import { saga } from './saga.ts'

const stockService = defineService<Config>({
  name: 'stock-service',
  migrations,
  publishes: eventsOf('stock'),
  saga: (config) => saga({ delayMs: config.FULFILMENT_DELAY_MS }),
  plugins: (config) => [fulfilmentPollerPlugin(config.FULFILMENT_DELAY_MS)],
  routes: async (app) => {
    await app.register(productRoutes)
    await app.register(shipmentRoutes)
  },
})

/** Builds the stock-service app without listening, so tests can `inject()` requests (`messaging: false`: without Kafka). */
export const build = stockService.build
