// Which subject and version a schema id is in the registry (Confluent API: GET /schemas/ids/{id}/versions), remembered: an id never changes meaning.
export interface SubjectVersion {
  subject: string
  version: number
}

const LOOKUP_TIMEOUT_MS = 2000

export interface SchemaVersions {
  /** The subjects and versions of each id; an id the registry did not answer for maps to []. */
  of(ids: readonly number[]): Promise<Map<number, SubjectVersion[]>>
}

export function schemaVersions(registryUrl: string): SchemaVersions {
  const known = new Map<number, SubjectVersion[]>()
  async function lookup(id: number): Promise<SubjectVersion[]> {
    const res = await fetch(`${registryUrl}/schemas/ids/${id}/versions`, { signal: AbortSignal.timeout(LOOKUP_TIMEOUT_MS) })
    if (!res.ok) return []
    const found = (await res.json()) as SubjectVersion[]
    known.set(id, found)
    return found
  }
  return {
    async of(ids) {
      const unique = [...new Set(ids)]
      // A registry that is away costs the page its versions, not the page.
      const found = await Promise.all(unique.map(async (id) => [id, known.get(id) ?? await lookup(id).catch(() => [])] as const))
      return new Map(found)
    },
  }
}
