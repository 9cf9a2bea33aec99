// The schema registry as the schemas page reads it (its Confluent-compatible HTTP API): the saga's subjects, their versions and compatibility, and a line diff between two versions.
import { eventTopics } from '@choreo/contracts'

const REGISTRY_TIMEOUT_MS = 5000

export interface Subject {
  name: string
  versions: number[]
  /** The subject's own compatibility, or the registry's default where it has none. */
  compatibility: string
}

export interface SchemaVersion {
  version: number
  id: number
  /** Pretty-printed, one property per line, so that versions diff line by line. */
  text: string
}

export interface Registry {
  subjects(): Promise<Subject[]>
  version(subject: string, version: number): Promise<SchemaVersion>
}

export function registryOf(registryUrl: string): Registry {
  async function get<T>(path: string, missing?: T): Promise<T> {
    const res = await fetch(`${registryUrl}${path}`, { signal: AbortSignal.timeout(REGISTRY_TIMEOUT_MS) })
    if (res.status === 404 && missing !== undefined) return missing
    if (!res.ok) throw new Error(`the registry answered ${res.status} to GET ${path}`)
    return (await res.json()) as T
  }
  // Subjects follow the topic-record-name strategy, `<topic>-<record>`, with the topic's unprefixed name (messaging's subjectOf).
  const ours = Object.values(eventTopics).map((t) => `${t}-`)
  return {
    async subjects() {
      const names = (await get<string[]>('/subjects')).filter((s) => ours.some((p) => s.startsWith(p))).sort()
      const fallback = (await get<{ compatibilityLevel: string }>('/config')).compatibilityLevel
      return Promise.all(names.map(async (name) => ({
        name,
        versions: await get<number[]>(`/subjects/${encodeURIComponent(name)}/versions`),
        compatibility: (await get<{ compatibilityLevel?: string }>(`/config/${encodeURIComponent(name)}`, {})).compatibilityLevel ?? `${fallback} (the registry's default)`,
      })))
    },
    async version(subject, version) {
      const found = await get<{ id: number; version: number; schema: string }>(`/subjects/${encodeURIComponent(subject)}/versions/${version}`)
      return { version: found.version, id: found.id, text: JSON.stringify(JSON.parse(found.schema), null, 2) }
    },
  }
}

export type DiffLine = { kind: 'same' | 'added' | 'removed'; text: string }

/** A line diff (longest common subsequence): what `b` removes from `a` and adds to it. */
export function diffLines(a: string, b: string): DiffLine[] {
  const x = a.split('\n')
  const y = b.split('\n')
  const common: number[][] = Array.from({ length: x.length + 1 }, () => new Array<number>(y.length + 1).fill(0))
  for (let i = x.length - 1; i >= 0; i--) {
    for (let j = y.length - 1; j >= 0; j--) common[i]![j] = x[i] === y[j] ? common[i + 1]![j + 1]! + 1 : Math.max(common[i + 1]![j]!, common[i]![j + 1]!)
  }
  const out: DiffLine[] = []
  let i = 0
  let j = 0
  while (i < x.length && j < y.length) {
    if (x[i] === y[j]) { out.push({ kind: 'same', text: x[i]! }); i++; j++ } else if (common[i + 1]![j]! >= common[i]![j + 1]!) { out.push({ kind: 'removed', text: x[i]! }); i++ } else { out.push({ kind: 'added', text: y[j]! }); j++ }
  }
  while (i < x.length) out.push({ kind: 'removed', text: x[i++]! })
  while (j < y.length) out.push({ kind: 'added', text: y[j++]! })
  return out
}
