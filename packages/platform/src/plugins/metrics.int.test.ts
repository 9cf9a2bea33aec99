import Fastify, { type FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, infra, type TestDatabase } from '@choreo/testkit'
import { baseConfigSchema, loadConfig } from '../config.ts'
import { databasePlugin } from './database.ts'
import { metricsPlugin } from './metrics.ts'

describe('db_statements_total', () => {
  let database: TestDatabase
  let app: FastifyInstance

  beforeAll(async () => {
    database = await createTestDatabase('statements', 2)
    const config = loadConfig(baseConfigSchema, {
      KAFKA_BROKERS: '127.0.0.1:9', SCHEMA_REGISTRY_URL: infra().registryUrl, DATABASE_URL: database.url,
      JWT_SECRET: 'x'.repeat(32), LOG_LEVEL: 'silent',
    })
    app = Fastify({ logger: false })
    await app.register(databasePlugin, { config, migrations: {} })
    await app.register(metricsPlugin, { service: 'statements-test' })
    await app.ready()
  })

  afterAll(async () => {
    await app?.close()
    await database?.drop()
  })

  const statements = async (): Promise<number> => {
    const res = await app.inject({ url: '/metrics' })
    const line = res.body.split('\n').find((l) => l.startsWith('db_statements_total'))
    return Number(line?.split(' ').at(-1))
  }

  it('counts every statement the pool sends, a transaction\'s BEGIN and COMMIT included', async () => {
    const before = await statements()
    await app.db.transaction(async (trx) => {
      await trx.raw('SELECT 1')
      await trx.raw('SELECT 2')
    })
    await app.db.raw('SELECT 3')
    expect(await statements()).toBe(before + 5)
  })
})
