// Whether each schema in schemas/ may become its subject's next version in the registry, and if not, which way it fails and why.
import avro from 'avsc'
import type { EventType } from '@choreo/contracts'
import { subjectOf } from './avro.ts'
import { RegistryError } from './errors.ts'
import { loadSchemas } from './schemas.ts'

export type Compatibility = 'compatible' | 'incompatible' | 'not registered'

export interface SubjectCheck {
  type: EventType
  subject: string
  result: Compatibility
  /** The subject's compatibility level (FULL_TRANSITIVE, as registered by avro.ts); undefined when not registered. */
  level?: string
  /** Version of the latest registered schema. */
  latestVersion?: number
  /** Why the local schema cannot read what is registered, when avsc can say. */
  reason?: string
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json'

/**
 * Asks the registry whether each schema in schemas/ may be registered as the next version of
 * its subject (`POST /compatibility/subjects/<subject>/versions/latest`). Some registries
 * (Apicurio's ccompat API) call a schema compatible with a subject that does not exist, so
 * existence is asked first (`GET /subjects/<subject>/versions`).
 */
export async function checkCompatibility(options: { registryUrl: string; schemasDir?: string }): Promise<SubjectCheck[]> {
  const base = options.registryUrl.replace(/\/$/, '')
  async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    let res: Response
    try {
      res = await fetch(`${base}${path}`, {
        method,
        headers: { accept: CONTENT_TYPE, ...(body === undefined ? {} : { 'content-type': CONTENT_TYPE }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      })
    } catch (err) {
      throw new RegistryError(`registry at ${base} does not answer`, { retriable: true, cause: err })
    }
    const text = await res.text()
    if (res.status >= 500) throw new RegistryError(`${method} ${path} answered ${res.status}: ${text}`, { retriable: true })
    return { status: res.status, json: text ? JSON.parse(text) : null }
  }

  return Promise.all([...loadSchemas(options.schemasDir).values()].map(async (schema): Promise<SubjectCheck> => {
    const subject = subjectOf(schema.type, schema.fullName)
    const path = `/subjects/${encodeURIComponent(subject)}`
    const versions = await call('GET', `${path}/versions`)
    if (versions.status === 404) return { type: schema.type, subject, result: 'not registered' }
    const latestVersion = Math.max(...(versions.json as number[]))
    const [compat, config, latest] = await Promise.all([
      call('POST', `/compatibility${path}/versions/latest`, { schema: schema.json, schemaType: 'AVRO' }),
      call('GET', `/config/${encodeURIComponent(subject)}?defaultToGlobal=true`),
      call('GET', `${path}/versions/latest`),
    ])
    if (compat.status !== 200) throw new RegistryError(`compatibility check of ${subject} answered ${compat.status}: ${JSON.stringify(compat.json)}`)
    const compatible = (compat.json as { is_compatible?: boolean }).is_compatible === true
    const level = (config.json as { compatibilityLevel?: string } | null)?.compatibilityLevel
    const registered = (latest.json as { schema?: string } | null)?.schema
    const reason = !compatible && registered ? whyIncompatible(schema.avro, registered) : undefined
    return { type: schema.type, subject, result: compatible ? 'compatible' : 'incompatible', latestVersion, ...(level ? { level } : {}), ...(reason ? { reason } : {}) }
  }))
}

/**
 * FULL compatibility (avro.ts, SUBJECT_COMPATIBILITY) is both ways: the new schema reads events
 * written with the registered one, and the registered one reads events written with the new.
 * avsc's resolver says which way fails, and why.
 */
function whyIncompatible(local: avro.Type, registered: string): string | undefined {
  const old = avro.Type.forSchema(JSON.parse(registered))
  const ways: [avro.Type, avro.Type, string][] = [
    [local, old, 'the new schema cannot read events written with the registered one'],
    [old, local, 'a consumer with the registered schema cannot read events written with the new one'],
  ]
  for (const [reader, writer, way] of ways) {
    try {
      reader.createResolver(writer)
    } catch (err) {
      return `${way}: ${(err as Error).message}`
    }
  }
  return undefined
}
