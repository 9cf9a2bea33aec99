// Evolved copies of schemas/ for schema-evolution tests: OrderDelivered edited, under a namespace (so a registry subject) of its own.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomUUID } from 'node:crypto'
import { defaultSchemasDir } from '../schemas.ts'

/**
 * A copy of schemas/ where OrderDelivered is changed by `edit`, under a namespace of its own (so
 * its own subject: versions do not pile up on the product's). `original` is the copy before the edit.
 */
export function evolvedSchemas(namespace: string, edit: (schema: { namespace: string; fields: object[] }) => void): { dir: string; original: string } {
  const dir = mkdtempSync(join(tmpdir(), 'schemas-'))
  cpSync(defaultSchemasDir, dir, { recursive: true })
  const file = join(dir, 'order', 'OrderDelivered.avsc')
  const original = JSON.parse(readFileSync(file, 'utf8'))
  original.namespace = namespace
  writeFileSync(file, JSON.stringify(original))
  const evolved = structuredClone(original)
  edit(evolved)
  const next = mkdtempSync(join(tmpdir(), 'schemas-next-'))
  cpSync(dir, next, { recursive: true })
  writeFileSync(join(next, 'order', 'OrderDelivered.avsc'), JSON.stringify(evolved))
  return { dir: next, original: dir }
}

/** A namespace no earlier run used. */
export const freshNamespace = (): string => `choreo.test${randomUUID().replaceAll('-', '')}`
