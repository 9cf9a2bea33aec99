// order-service as the platform's skeleton builds it: its migrations, saga page, metrics and routes.
import { eventsOf } from '@choreo/contracts'
import { defineService } from '@choreo/platform/http'
import type { Config } from './config.ts'
import { migrations } from './migrations/index.ts'
import { orderMetricsPlugin } from './plugins/order-metrics.ts'
import { orderRoutes } from './routes/orders/index.ts'
import { saga } from './saga.ts'

const orderService = defineService<Config>({
  name: 'order-service',
  migrations,
  publishes: eventsOf('order'),
  saga,
  plugins: [orderMetricsPlugin],
  routes: async (app, config) => {
    await app.register(orderRoutes, { ordersPerMinute: config.ORDER_RATE_LIMIT_PER_MINUTE })
  },
})

/** Builds the order-service app without listening, so tests can `inject()` requests (`messaging: false`: without Kafka). */
export const build = orderService.build
