// order-service's tests on testkit's harness: the app on a scratch database and topics of its own, or the migrated database alone.
import { useMigratedDatabase, useServiceApp, type AppHarness, type AppOptions, type TestDatabase, type TestedService } from '@choreo/testkit'
import { build } from '../app.ts'
import { readConfig } from '../config.ts'
import { migrations } from '../migrations/index.ts'

export type OrderApp = Awaited<ReturnType<typeof build>>

/** order-service as testkit's harness starts it. */
export const orderUnderTest: TestedService<OrderApp> = { name: 'order', migrations, build: async (env, options) => build(readConfig(env), options) }

/** The app on a database and topics of its own, migrated and consuming (`messaging: false`: HTTP only, no Kafka), for this file's tests; `env` adds settings (ORDER_RATE_LIMIT_PER_MINUTE). */
export function useOrderApp(label: string, env: Record<string, string> = {}, options: AppOptions = {}): AppHarness<OrderApp> {
  return useServiceApp(orderUnderTest, label, env, options)
}

/** A scratch database migrated with order-service's migrations, no app, for this file's (or describe block's) tests. */
export function useOrderDatabase(label: string): TestDatabase {
  return useMigratedDatabase(orderUnderTest, label)
}
