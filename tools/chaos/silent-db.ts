// The silent-db fault: a TCP proxy per service instance makes its PostgreSQL connections go half-open, then watches it recover by itself.
import { setTimeout as sleep } from 'node:timers/promises'
import type { OffsetsAdmin } from '@choreo/messaging/operations'
import { startTcpProxy, type TcpProxy } from '@choreo/testkit'
import type { Shake } from './faults.ts'
import { committedOffsets } from './kafka-state.ts'
import { SERVICES, type Instance, type Service } from './plan.ts'
import type { Db } from './run-resources.ts'

/**
 * The silent connection: each service instance reaches PostgreSQL through a TCP proxy of its own
 * (testkit's tcp-proxy.ts), so that one instance's connections can go half-open at once, the way
 * a NAT or firewall that forgets a flow leaves them: nothing forwarded, nothing closed, no FIN or
 * RST. The service must notice by itself (its client's query timeout, keepalive, the relay lease's
 * idle_session_timeout and heartbeat, packages/platform/src/db.ts) and carry on over new
 * connections. The runner only watches, then ends the server sessions the silence left behind.
 */
export interface SilentDb {
  /** The DATABASE_URL an instance is started with: through its proxy, named by application_name. */
  urlOf(service: Service, instance: Instance): string
  /** Silences the instance's connections and waits for it to recover; null when it had none, or another fault restarted it meanwhile (not counted). */
  silence(service: Service, instance: Instance): Promise<string | null>
  /** Whether the instance is being silenced right now (its recovery is being measured). */
  isSilenced(service: Service, instance: Instance): boolean
  close(): Promise<void>
}

export interface SilentDbTrouble {
  rule: 'silent-db-not-recovered'
  detail: string
}

/**
 * How long the instance's database may stay unreachable (its /health) before the run calls it a
 * violation: the query timeout (35 s) once per silenced connection, a consumer rejoin (30 s), margin.
 */
const RECOVERY_LIMIT_MS = 240_000
/**
 * The rest of recovery (the outbox from before published, the group past the marks) needs the
 * database back, and also rests on Kafka, which other faults may be shaking meanwhile: once the
 * database answers again it may take as long as it keeps moving, and fails after this long
 * without progress (the drain's rule) and without another fault shaking it (stallClockFrom), or
 * after OVERALL_LIMIT_MS in all.
 */
const STALL_LIMIT_MS = 90_000
const OVERALL_LIMIT_MS = 600_000
const POLL_MS = 1000
/** An instance being restarted (a kill, a crash loop) has no connections yet: wait this long for one to silence. */
const CONNECTION_WAIT_MS = 120_000
const HEALTH_TIMEOUT_MS = 5000
/** How long to wait for a moment with more than one session open before silencing whatever is open. */
const BUSY_WAIT_MS = 20_000
const SESSION_POLL_MS = 100
/** How long reading the topics' ends before a silence may keep failing (a broker restarting) before the fault is given up. */
const MARKS_WAIT_MS = 30_000

const SESSIONS_SQL = 'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = ?'
const END_LEFTOVERS_SQL = `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
  WHERE datname = current_database() AND application_name = ? AND backend_start < ?`

export async function createSilentDb(deps: {
  databaseUrls: Record<Service, string>
  /** The runner's own pools (direct, not proxied). */
  dbs: Record<Service, Db>
  offsets: OffsetsAdmin
  groups: Record<Service, string>
  /** The topics the service's consumer reads. */
  topicsOf(service: Service): readonly string[]
  portOf(service: Service, instance: Instance): number
  /** When the instance's current process started: another fault may kill and restart it meanwhile. */
  startedAt(service: Service, instance: Instance): number
  /** The last moment something else shook the service's consumer group (a sibling's restart, its coordinator's node down): it restarts the stall clock. */
  lastShake?(service: Service): Shake | null
  runId: string
  trouble(t: SilentDbTrouble): void
  log(message: string): void
}): Promise<SilentDb> {
  const proxies = new Map<string, TcpProxy>()
  const key = (service: Service, instance: Instance) => `${service}-${instance}`
  const appName = (service: Service, instance: Instance) => `chaos-${deps.runId}-${key(service, instance)}`
  for (const service of SERVICES) {
    const target = new URL(deps.databaseUrls[service])
    for (const instance of [1, 2] as const) {
      proxies.set(key(service, instance), await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) }))
    }
  }
  const proxyOf = (service: Service, instance: Instance) => proxies.get(key(service, instance))!
  const silenced = new Set<string>()

  async function sessions(service: Service, instance: Instance): Promise<number> {
    return (await deps.dbs[service].raw(SESSIONS_SQL, [appName(service, instance)])).rows[0]?.n ?? 0
  }

  /** What must be done again after the silence: outbox rows committed before it, messages on the topics before it. */
  async function marks(service: Service): Promise<{ outboxId: number; ends: Map<string, bigint> }> {
    const [row] = await deps.dbs[service]('outbox').max({ id: 'id' })
    const ends = new Map<string, bigint>()
    for (const topic of deps.topicsOf(service)) {
      for (const { partition, high } of await deps.offsets.ranges(topic)) ends.set(`${topic}:${partition}`, high)
    }
    return { outboxId: Number(row?.id ?? 0), ends }
  }

  /**
   * Recovered: its database answers through /health, the outbox rows from before are published,
   * the group has consumed past the marks. `remaining` counts what is left of the last two (rows,
   * and messages up to the marks), so that progress can be told from a stall.
   */
  async function recovered(service: Service, instance: Instance, before: { outboxId: number; ends: Map<string, bigint> }): Promise<{ missing: string[]; databaseUp: boolean; remaining: number }> {
    const missing: string[] = []
    const up = await databaseUp(deps.portOf(service, instance))
    if (!up) missing.push('/health: database not up')
    const [open] = await deps.dbs[service]('outbox').whereNull('published_at').andWhere('id', '<=', before.outboxId).count<{ n: string }[]>({ n: '*' })
    const unpublished = Number(open?.n ?? 0)
    if (unpublished > 0) missing.push(`${unpublished} outbox row(s) from before unpublished`)
    const committed = await committedOffsets(deps.offsets, deps.groups[service], deps.topicsOf(service))
    const lags = [...before.ends].map(([at, end]) => (end > 0n ? Math.max(0, Number(end - (committed.get(at) ?? 0n))) : 0))
    const behind = lags.filter((lag) => lag > 0).length
    if (behind > 0) missing.push(`${behind} partition(s) not consumed past the silence`)
    return { missing, databaseUp: up, remaining: unpublished + lags.reduce((a, b) => a + b, 0) }
  }

  return {
    urlOf(service, instance) {
      const url = new URL(proxyOf(service, instance).url(deps.databaseUrls[service]))
      url.searchParams.set('application_name', appName(service, instance))
      return url.toString()
    },

    isSilenced(service, instance) {
      return silenced.has(key(service, instance))
    },

    async silence(service, instance) {
      const name = key(service, instance)
      silenced.add(name)
      try {
        return await silenceAndWatch(service, instance)
      } finally {
        silenced.delete(name)
      }
    },

    async close() {
      await Promise.all([...proxies.values()].map((p) => p.close().catch(() => {})))
    },
  }

  async function silenceAndWatch(service: Service, instance: Instance): Promise<string | null> {
    const name = key(service, instance)
    // A moment with more than the relay's lease session open, so that requests and the consumer are cut off too.
    const waitUntil = Date.now() + CONNECTION_WAIT_MS
    const settleFor = Date.now() + BUSY_WAIT_MS
    let open = await sessions(service, instance)
    while ((open === 0 && Date.now() < waitUntil) || (open === 1 && Date.now() < settleFor)) {
      await sleep(SESSION_POLL_MS)
      open = await sessions(service, instance)
    }
    if (open === 0) return null
    // A node fault may be under way: the runner's own admin retries until the metadata settles.
    const before = await retrying(() => marks(service), MARKS_WAIT_MS)
    // Sessions that started before this moment are the silenced ones (every connection then open goes silent).
    const silencedAt = new Date()
    const incarnation = deps.startedAt(service, instance)
    proxyOf(service, instance).silenceExisting()
    deps.log(`silent-db: ${name}'s ${open} PostgreSQL session(s) silenced`)

    let missing: string[]
    let least = Number.POSITIVE_INFINITY
    let movedAt: number | undefined // set once the database answers again: the stall clock runs from then
    const shakenBy = new Set<string>()
    for (;;) {
      if (deps.startedAt(service, instance) !== incarnation) {
        // Another fault killed the instance: its successor opened new connections, so whether it
        // would have recovered by itself is not seen. Not counted, as a fault that was not driven.
        const ended = (await deps.dbs[service].raw(END_LEFTOVERS_SQL, [appName(service, instance), silencedAt])).rows[0]?.n ?? 0
        const after = ((Date.now() - silencedAt.getTime()) / 1000).toFixed(1)
        deps.log(`silent-db: ${name} was killed by another fault ${after}s into its silence: recovery not measured, not counted (${ended} left-over session(s) ended)`)
        return null
      }
      const state = await recovered(service, instance, before)
        .catch((err: unknown) => ({ missing: [`not measurable: ${String(err)}`], databaseUp: false, remaining: Number.POSITIVE_INFINITY }))
      missing = state.missing
      if (missing.length === 0) break
      const elapsed = Date.now() - silencedAt.getTime()
      if (state.databaseUp) {
        movedAt ??= Date.now()
        if (state.remaining < least) { least = state.remaining; movedAt = Date.now() }
        const shake = deps.lastShake?.(service) ?? null
        const restarted = stallClockFrom(movedAt, shake)
        if (restarted !== movedAt) { movedAt = restarted; shakenBy.add(shake?.what ?? 'another fault') }
      }
      if (movedAt === undefined && elapsed > RECOVERY_LIMIT_MS) break
      if (movedAt !== undefined && Date.now() - movedAt > STALL_LIMIT_MS) { missing.push(`no progress for ${STALL_LIMIT_MS / 1000}s`); break }
      if (elapsed > OVERALL_LIMIT_MS) break
      await sleep(POLL_MS)
    }
    const took = ((Date.now() - silencedAt.getTime()) / 1000).toFixed(1)
    if (missing.length > 0) {
      const shaken = shakenBy.size > 0 ? ` (stall clock restarted after ${[...shakenBy].join(', ')})` : ''
      deps.trouble({ rule: 'silent-db-not-recovered', detail: `${name}: after ${took}s: ${missing.join('; ')}${shaken}` })
      return `${name}: ${open} session(s) silenced, NOT recovered after ${took}s (${missing.join('; ')})`
    }
    // Recovered by itself; the server sessions behind the silent sockets would otherwise stay
    // until the run ends (the proxy's kernel answers the server's keepalive probes).
    const ended = (await deps.dbs[service].raw(END_LEFTOVERS_SQL, [appName(service, instance), silencedAt])).rows[0]?.n ?? 0
    return `${name}: ${open} PostgreSQL session(s) silenced, recovered in ${took}s (health, outbox, consumer), ${ended} left-over session(s) ended`
  }
}

/**
 * Where the stall clock runs from: progress (or the database answering again) restarts it, and so
 * does anything else that shakes the service's consumer group (a sibling instance started or
 * killed, the group's coordinator on a node taken down or moved): each is a pause in consuming of
 * its own, and 90 s start from it. OVERALL_LIMIT_MS still bounds the whole recovery.
 */
export function stallClockFrom(movedAt: number, shake: Shake | null): number {
  return shake ? Math.max(movedAt, shake.at) : movedAt
}

async function retrying<T>(call: () => Promise<T>, forMs: number): Promise<T> {
  const deadline = Date.now() + forMs
  for (;;) {
    try {
      return await call()
    } catch (err) {
      if (Date.now() > deadline) throw err
      await sleep(POLL_MS)
    }
  }
}

async function databaseUp(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) })
    const body = (await res.json()) as { database?: string }
    return body.database === 'up'
  } catch {
    return false
  }
}
