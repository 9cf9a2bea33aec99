// One harness for every service's integration tests: a migrated scratch database, the app on it with topics of its own, and cleanup.
import type { Knex } from 'knex'
import { migrate } from '@choreo/platform'
import { createTestDatabase, type TestDatabase } from './database.ts'
import { createTestTopics } from './kafka.ts'
import { serviceEnv } from './service-env.ts'
import { startedForTests } from './started.ts'

/** What a service's app must offer the harness. */
export interface TestableApp {
  ready(): PromiseLike<unknown>
  close(): PromiseLike<unknown>
}

export interface AppOptions {
  /**
   * false builds the app without its messaging plugin (no relay, no consumer), on no topics and
   * a broker address nothing listens on, so any use of Kafka fails: the tier of inject() tests.
   */
  messaging?: boolean
  /**
   * A database (and topic prefix) the test already has, instead of new ones: an app over rows the test wrote first,
   * or the same service started again (a restart). The harness does not drop what it did not make.
   */
  on?: { database: TestDatabase; prefix?: string }
}

/** A service as its tests see it: its name, its migrations, and its app built from an environment. */
export interface TestedService<App extends TestableApp> {
  /** Names the scratch databases and topic prefixes (`stock` → `t_stock_<label>_…`). */
  name: string
  migrations: Record<string, Knex.Migration>
  build(env: Record<string, string>, options?: AppOptions): Promise<App>
}

/** Port 1 on the loopback: no broker listens there. */
const NO_BROKER = '127.0.0.1:1'
const NO_TOPICS = 'no-kafka.'

export interface AppHarness<App> {
  app: App
  database: TestDatabase
  /** The topic prefix of this harness' own. */
  prefix: string
  /** Closes the app (it stops consuming) and drops the database, unless the test gave it (`on`). */
  close(): Promise<void>
}

/**
 * Tier "database": a scratch database migrated with the service's migrations; no app, no Kafka.
 * `drop` closes its pool and removes it.
 */
export async function createMigratedDatabase(service: Pick<TestedService<TestableApp>, 'name' | 'migrations'>, label: string): Promise<TestDatabase> {
  const database = await createTestDatabase(`${service.name}-${label}`)
  try {
    await migrate(database.db, service.migrations)
  } catch (err) {
    await database.drop()
    throw err
  }
  return database
}

/**
 * Tier "app": the service's app on a scratch database and a topic prefix of its own, migrated and
 * consuming (ready); with `messaging: false`, migrated and answering HTTP only. `env` adds
 * settings to the environment it is built from.
 */
export async function startServiceApp<App extends TestableApp>(service: TestedService<App>, label: string, env: Record<string, string> = {}, options: AppOptions = {}): Promise<AppHarness<App>> {
  const name = `${service.name}-${label}`
  const messaging = options.messaging !== false
  const given = options.on
  const [database, prefix] = await Promise.all([
    given?.database ?? createTestDatabase(name),
    given?.prefix ?? (messaging ? createTestTopics(name) : NO_TOPICS),
  ])
  const dropOwn = async () => { if (!given) await database.drop() }
  let app: App | undefined
  try {
    app = await service.build(serviceEnv(database.url, prefix, messaging ? env : { KAFKA_BROKERS: NO_BROKER, ...env }), { messaging })
    await app.ready()
  } catch (err) {
    // Leave no database behind when the app cannot start (e.g. the registry refuses a schema).
    await app?.close()
    await dropOwn()
    throw err
  }
  const started = app
  return {
    app: started, database, prefix,
    async close() {
      await started.close()
      await dropOwn()
    },
  }
}

/** createMigratedDatabase for the tests of the calling file or describe block: made before them, dropped after. */
export function useMigratedDatabase(service: Pick<TestedService<TestableApp>, 'name' | 'migrations'>, label: string): TestDatabase {
  return startedForTests(() => createMigratedDatabase(service, label), (database) => database.drop())
}

/** startServiceApp for the tests of the calling file or describe block: started before them, closed after. */
export function useServiceApp<App extends TestableApp>(service: TestedService<App>, label: string, env: Record<string, string> = {}, options: AppOptions = {}): AppHarness<App> {
  return startedForTests(() => startServiceApp(service, label, env, options), (harness) => harness.close())
}
