// payment-service as the platform's skeleton builds it: its migrations, saga and facts pages, and routes.
import { eventsOf } from '@choreo/contracts'
import { defineService } from '@choreo/platform/http'
import type { Config } from './config.ts'
import { migrations } from './migrations/index.ts'
import { customerRoutes } from './routes/customers/index.ts'
import { depositRoutes } from './routes/deposits/index.ts'
import { paymentRoutes } from './routes/payments/index.ts'
import { facts, saga } from './saga.ts'

const paymentService = defineService<Config>({
  name: 'payment-service',
  migrations,
  publishes: eventsOf('payment'),
  saga,
  facts,
  routes: async (app) => {
    await app.register(customerRoutes)
    await app.register(depositRoutes)
    await app.register(paymentRoutes)
  },
})

/** Builds the payment-service app without listening, so tests can `inject()` requests (`messaging: false`: without Kafka). */
export const build = paymentService.build
