import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { eventSchemas, type EventType } from '@choreo/contracts'
import { createEventCodec } from '@choreo/messaging'
import { checkCompatibility } from '@choreo/messaging/operations'
import { infra } from '@choreo/testkit'
import { NEWER_BUILD, prepareNewerBuild, type NewerBuild } from './newer-build.ts'

const root = fileURLToPath(new URL('../../', import.meta.url))

describe('the rolling upgrade\'s newer build (a fixture)', () => {
  let build: NewerBuild
  beforeAll(() => { build = prepareNewerBuild(root, `test-${process.pid}`, () => {}) })
  afterAll(() => build?.remove())

  it('applies to this checkout and adds its field and its event type to that build only', () => {
    const evolved = JSON.parse(readFileSync(join(build.schemasDir, 'stock', `${NEWER_BUILD.evolved.type}.avsc`), 'utf8')) as { fields: { name: string }[] }
    expect(evolved.fields.map((f) => f.name)).toContain(NEWER_BUILD.evolved.field)
    expect(readFileSync(join(build.root, 'packages/contracts/src/events.generated.ts'), 'utf8')).toContain(`${NEWER_BUILD.added}: {`)
    expect(existsSync(join(build.root, 'node_modules', '.pnpm'))).toBe(true)
    // The product's schemas and contracts know nothing of it.
    expect(existsSync(join(root, 'schemas', 'stock', `${NEWER_BUILD.added}.avsc`))).toBe(false)
    expect(Object.keys(eventSchemas)).not.toContain(NEWER_BUILD.added)
    const product = JSON.parse(readFileSync(join(root, 'schemas', 'stock', `${NEWER_BUILD.evolved.type}.avsc`), 'utf8')) as { fields: { name: string }[] }
    expect(product.fields.map((f) => f.name)).not.toContain(NEWER_BUILD.evolved.field)
  })

  it("loads in its services: their saga tables take the new event and field (defineSaga checks them at start-up)", () => {
    const load = `const { saga } = await import(${JSON.stringify(join(build.root, 'order-service/src/saga.ts'))});
      const stock = await import(${JSON.stringify(join(build.root, 'stock-service/src/saga.ts'))});
      console.log(JSON.stringify([Object.keys(saga), stock.saga({ delayMs: 0 }).OrderPlaced.emits]))`
    const [orderHandles, stockEmits] = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', load], { cwd: build.root, encoding: 'utf8' })) as [string[], string[]]
    expect(orderHandles).toContain(NEWER_BUILD.added)
    expect(stockEmits).toContain(NEWER_BUILD.added)
  })

  it('is a change the registry accepts beside the product\'s schemas (FULL_TRANSITIVE)', async () => {
    const { registryUrl } = infra()
    await createEventCodec({ registryUrl }).register(Object.keys(eventSchemas) as EventType[])
    const checks = await checkCompatibility({ registryUrl, schemasDir: build.schemasDir })
    expect(checks.find((c) => c.type === NEWER_BUILD.evolved.type)).toMatchObject({ result: 'compatible', level: 'FULL_TRANSITIVE' })
    expect(checks.filter((c) => c.result !== 'compatible')).toEqual([])
  })
})
