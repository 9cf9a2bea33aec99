// The launcher runs a real service against the stack: ready once /health answers, and its stop is
// the graceful shutdown (the consumer leaves its group, the process exits 0), not a kill.
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { prefixed } from '@choreo/contracts'
import { createTestDatabase, createTestTopics, eventually, testKafka, testServiceSettings, type TestDatabase } from '@choreo/testkit'
import { freePort } from './free-port.ts'
import { launchService, type ServiceProcess } from './launch.ts'
import { serviceEnv } from '@choreo/platform'

const ROOT = path.resolve(import.meta.dirname, '../../..')

describe('launchService', () => {
  let database: TestDatabase
  let prefix: string
  let service: ServiceProcess | undefined
  const admin = testKafka().admin()
  beforeAll(async () => {
    database = await createTestDatabase('launcher')
    prefix = await createTestTopics('launcher')
    await admin.connect()
  })
  afterAll(async () => {
    await service?.kill()
    await admin.disconnect()
    await database.drop()
  })

  async function groupState(): Promise<{ state: string; members: number }> {
    const { groups } = await admin.describeGroups([prefixed(prefix, 'order-service')])
    return { state: groups[0]?.state ?? 'Dead', members: groups[0]?.members.length ?? 0 }
  }

  it('starts order-service from the checkout, and stops it gracefully: its consumer leaves the group and it exits 0', async () => {
    const env = serviceEnv({ ...testServiceSettings(database.url, prefix), port: await freePort(), extra: { DATABASE_POOL_MAX: '4' } })
    service = launchService({ service: 'order-service', root: ROOT, env })
    await service.ready()
    expect((await fetch(`${service.url}/health`)).status).toBe(200)
    await eventually(async () => expect(await groupState()).toEqual({ state: 'Stable', members: 1 }), { timeoutMs: 30_000 })

    expect(await service.stop()).toEqual({ code: 0, signal: null })
    expect(service.running).toBe(false)
    // Left, not timed out: a killed member would stay in the group until its session expires.
    expect((await groupState()).members).toBe(0)
  })
})
