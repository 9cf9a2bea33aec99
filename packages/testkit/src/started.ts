// A resource a test file starts before its tests and stops after them, usable where the tests are declared.
import { afterAll, beforeAll } from 'vitest'

/**
 * Registers beforeAll/afterAll hooks in the calling scope (file or describe) that start the
 * resource and stop it, and returns a stand-in that forwards every property to the started
 * resource: tests may read it where they are declared and use it once beforeAll has run.
 */
export function startedForTests<T extends object>(start: () => Promise<T>, stop: (resource: T) => Promise<void>): T {
  let resource: T | undefined
  beforeAll(async () => { resource = await start() })
  afterAll(async () => {
    if (resource) await stop(resource)
    resource = undefined
  })
  return new Proxy({} as T, {
    get(_, property) {
      if (!resource) throw new Error(`used before beforeAll started it, or after afterAll stopped it (reading ${String(property)})`)
      return Reflect.get(resource, property, resource)
    },
  })
}
