// The whole system for the end-to-end tests: the three services launched as processes, as ./choreo runs them.
import path from 'node:path'
import { freePort, launchService, serviceEnv, type ServiceProcess } from '@choreo/launcher'
import { bearerAs, createTestDatabase, createTestTopics, testServiceSettings, type TestDatabase } from '@choreo/testkit'

export type ServiceName = 'order' | 'stock' | 'payment'

const ROOT = path.resolve(import.meta.dirname, '..')

export interface Response<T = unknown> {
  status: number
  headers: Headers
  body: T
}

/** An HTTP client of the running system, acting as one identity. */
export interface Client {
  get<T = Record<string, unknown>>(service: ServiceName, path: string): Promise<Response<T>>
  post<T = Record<string, unknown>>(service: ServiceName, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response<T>>
  patch<T = Record<string, unknown>>(service: ServiceName, path: string, body: unknown): Promise<Response<T>>
}

export interface System {
  prefix: string
  databases: Record<ServiceName, TestDatabase>
  urls: Record<ServiceName, string>
  /** Acts as the customer: may read and change only their own orders. */
  as(customerId: string): Client
  /** Acts as an administrator: catalogue, stock, deposits. */
  admin: Client
  /** Stops a service (gracefully) in the middle of whatever it is doing, and starts it again. */
  restart(service: ServiceName): Promise<void>
  /** Stops a service gracefully and leaves it stopped: its consumer group has no member until startService. */
  stopService(service: ServiceName): Promise<void>
  /** Starts a stopped service again, on the same port and database. */
  startService(service: ServiceName): Promise<void>
  stop(): Promise<void>
}

/**
 * The whole system as a user drives it: the three services, each a process of its own listening
 * on a port of its own, each with its own PostgreSQL database, all on one topic prefix of the real
 * Kafka and registry.
 * `settings` adds environment variables per service (stock's FULFILMENT_DELAY_MS).
 */
export async function startSystem(label: string, settings: Partial<Record<ServiceName, Record<string, string>>> = {}): Promise<System> {
  const prefix = await createTestTopics(label)
  const names: ServiceName[] = ['order', 'stock', 'payment']
  const databases = Object.fromEntries(await Promise.all(names.map(async (n) => [n, await createTestDatabase(`${label}-${n}`)]))) as Record<ServiceName, TestDatabase>
  const processes = {} as Record<ServiceName, ServiceProcess>
  const urls = {} as Record<ServiceName, string>
  const ports = {} as Record<ServiceName, number>

  const stopped = new Set<ServiceName>()
  async function start(name: ServiceName): Promise<void> {
    ports[name] ??= await freePort()
    // As the operator: the services run on topics of their own (a prefix), which no service's ACL names.
    const env = serviceEnv({
      ...testServiceSettings(databases[name].url, prefix), port: ports[name], extra: { DATABASE_POOL_MAX: '8', ...settings[name] },
    })
    const child = launchService({ service: `${name}-service`, root: ROOT, env })
    processes[name] = child
    urls[name] = child.url
    await child.ready()
  }
  await Promise.all(names.map(start))

  /** A client whose every request carries `authorization` (testkit's bearer header). */
  function client(authorization: { authorization: string }): Client {
    async function call<T>(method: string, service: ServiceName, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response<T>> {
      const res = await fetch(`${urls[service]}${path}`, {
        method,
        headers: { ...authorization, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
      const text = await res.text()
      return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : null) as T }
    }
    return {
      get: (service, path) => call('GET', service, path),
      post: (service, path, body, headers) => call('POST', service, path, body, headers),
      patch: (service, path, body) => call('PATCH', service, path, body),
    }
  }

  return {
    prefix, databases, urls,
    as: (customerId) => client(bearerAs(customerId)),
    admin: client(bearerAs('e2e-admin', 'admin')),
    async restart(name) {
      await processes[name].stop()
      await start(name)
    },
    async stopService(name) {
      await processes[name].stop()
      stopped.add(name)
    },
    async startService(name) {
      await start(name)
      stopped.delete(name)
    },
    async stop() {
      await Promise.all(names.filter((n) => !stopped.has(n)).map((n) => processes[n].stop()))
      await Promise.all(names.map((n) => databases[n].drop()))
    },
  }
}
