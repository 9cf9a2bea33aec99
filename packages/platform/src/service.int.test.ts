import { createServer, type Server, type Socket } from 'node:net'
import Fastify, { type FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, infra, type TestDatabase } from '@choreo/testkit'
import { baseConfigSchema, loadConfig } from './config.ts'
import { attachService, HEALTH_CHECK_TIMEOUT_MS } from './service.ts'

describe('GET /health', () => {
  // A "broker" that accepts connections and never answers: what a broker under a kill, a restart
  // or a network fault looks like from here.
  let silentBroker: Server
  const accepted = new Set<Socket>()
  let database: TestDatabase
  let app: FastifyInstance

  beforeAll(async () => {
    silentBroker = createServer((socket) => { accepted.add(socket) })
    await new Promise<void>((resolve) => silentBroker.listen(0, '127.0.0.1', resolve))
    const { port } = silentBroker.address() as { port: number }
    database = await createTestDatabase('health', 2)
    const config = loadConfig(baseConfigSchema, {
      KAFKA_BROKERS: `127.0.0.1:${port}`, SCHEMA_REGISTRY_URL: infra().registryUrl, DATABASE_URL: database.url,
      JWT_SECRET: 'x'.repeat(32), LOG_LEVEL: 'silent',
    })
    app = Fastify({ logger: false })
    await attachService(app, { service: 'health-test', config, migrations: {}, publishes: [], saga: {} })
    await app.ready()
  })

  afterAll(async () => {
    await app?.close()
    await database?.drop()
    for (const socket of accepted) socket.destroy()
    await new Promise((resolve) => silentBroker.close(resolve))
  })

  it('answers promptly with each part on its own: a broker that does not answer does not hide a healthy database', async () => {
    const started = Date.now()
    const res = await app.inject({ url: '/health' })
    const took = Date.now() - started
    expect(res.statusCode).toBe(503)
    expect(res.json()).toMatchObject({ status: 'down', database: 'up', kafka: 'down' })
    expect(took).toBeLessThan(HEALTH_CHECK_TIMEOUT_MS + 1500)
  })
})
