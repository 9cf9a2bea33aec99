// The schemas this code base reads events with: every .avsc file under schemas/ (or an evolved copy a test gives), parsed by avsc.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import avro from 'avsc'
import { eventSchemas, type EventType } from '@choreo/contracts'

/** The repository's schemas/ folder; overridable so tests can load an evolved copy. */
export const defaultSchemasDir = fileURLToPath(new URL('../../../schemas/', import.meta.url))

export interface LocalSchema {
  type: EventType
  fullName: string
  /** The schema as written in the .avsc file. */
  json: string
  avro: avro.Type
}

/** Loads the .avsc file of every event type: the reader schemas of this code base. */
export function loadSchemas(dir: string = defaultSchemasDir): Map<EventType, LocalSchema> {
  const schemas = new Map<EventType, LocalSchema>()
  for (const [type, info] of Object.entries(eventSchemas) as [EventType, (typeof eventSchemas)[EventType]][]) {
    const json = readFileSync(`${dir}/${info.service}/${type}.avsc`, 'utf8')
    const parsed = avro.Type.forSchema(JSON.parse(json))
    // The file is the truth (contracts' fullName is generated from it; tests load evolved copies).
    schemas.set(type, { type, fullName: parsed.name ?? info.fullName, json, avro: parsed })
  }
  return schemas
}
