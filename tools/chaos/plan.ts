// Every fault of a run, planned from the seed before the load starts: the fault kinds, the lanes they run in, and when each happens.
import { services, type ServiceName } from '../lib/services.ts'
import type { Profile } from './profile.ts'
import type { Random } from './random.ts'

export const SERVICES = services
export type Service = ServiceName
/** 1: the service's own process; 2: its second instance during a scale-out window. */
export type Instance = 1 | 2

export type PlannedFault =
  | { kind: 'kill'; at: number; service: Service; instance: Instance; downSeconds: number }
  | { kind: 'dup'; at: number; messages: number }
  | { kind: 'scaleout'; at: number; forSeconds: number }
  | { kind: 'kafka' | 'registry'; at: number; outageSeconds: number }
  | { kind: 'postgres'; at: number }
  // Cluster mode (three Kafka nodes) only:
  /** kill -9 of Kafka node `node` at a busy moment, started again after downSeconds. */
  | { kind: 'broker-kill'; at: number; node: number; downSeconds: number }
  /** Every node stopped (controlled shutdown) and started in turn, from `firstNode` on. */
  | { kind: 'rolling'; at: number; firstNode: number }
  /** A partition's replicas reordered, then a PREFERRED election: `pick` in [0, 1) chooses which partition and which new leader. */
  | { kind: 'leader-move'; at: number; pick: number }
  /** kill -9 of the active controller's node, started again after downSeconds. */
  | { kind: 'controller'; at: number; downSeconds: number }
  /** Every connection of one service instance to PostgreSQL goes silent (half-open) without closing. */
  | { kind: 'silent-db'; at: number; service: Service }
  /** Every service's instances restarted one at a time into the other build, while the load goes on (upgrade.ts). */
  | { kind: 'upgrade'; at: number; to: Build }

/** The product as checked out, and the same with tools/chaos/fixtures/newer-build.patch applied. */
export type Build = 'older' | 'newer'

export type FaultKind = PlannedFault['kind']
/** The faults of every run, single node or cluster. */
export const BASE_FAULT_KINDS = ['kill', 'kafka', 'registry', 'postgres', 'dup', 'scaleout', 'upgrade'] as const satisfies readonly FaultKind[]
/** The faults a three-node cluster adds. */
export const CLUSTER_FAULT_KINDS = ['broker-kill', 'rolling', 'leader-move', 'controller', 'silent-db'] as const satisfies readonly FaultKind[]
export const FAULT_KINDS: readonly FaultKind[] = [...BASE_FAULT_KINDS, ...CLUSTER_FAULT_KINDS]
/** Faults that stop or start Kafka nodes: they need the stack's own processes (pid files). */
export const KAFKA_NODE_FAULTS: ReadonlySet<FaultKind> = new Set(['kafka', 'broker-kill', 'rolling', 'controller'])
/**
 * Faults that take turns, whatever their lanes (see faults.ts): never two nodes down at once (two
 * copies gone is an outage), and no reassignment while a node is down (Kafka refuses one that
 * names an offline broker).
 */
export const KAFKA_TURN_FAULTS: ReadonlySet<FaultKind> = new Set([...KAFKA_NODE_FAULTS, 'leader-move'])

/**
 * Faults of one lane run one after the other, a late one waiting for the one before; lanes
 * overlap freely. Kills have a lane per service: a service is killed again only once its
 * restart has rejoined its consumer group, while the other services are killed meanwhile.
 */
export type Lane = `kill-${Service}` | 'dup' | 'scale' | 'infra' | 'brokers' | 'leaders'
export function laneOf(fault: PlannedFault): Lane {
  switch (fault.kind) {
    case 'kill': return `kill-${fault.service}`
    case 'dup': return 'dup'
    // An upgrade starts and stops second instances as a scale-out does: the two take turns.
    case 'scaleout': case 'upgrade': return 'scale'
    case 'broker-kill': case 'rolling': case 'controller': return 'brokers'
    case 'leader-move': return 'leaders'
    // In the shared stack's lane: a silenced service must recover within a bound, which a Kafka,
    // registry or PostgreSQL outage running meanwhile would stretch without telling anything.
    case 'silent-db': return 'infra'
    default: return 'infra'
  }
}

// No fault in the first seconds (the services are still joining their groups). A killed
// service's restart rejoins its consumer group only once the dead member's session has expired
// (30 s, kafkajs' default), so kills of one service are that far apart, and end that long
// before the load does.
const QUIET_START_SECONDS = 3
const KILL_RECOVERY_SECONDS = 40
const KILLS_END_BEFORE_SECONDS = 40
const DUPS_END_BEFORE_SECONDS = 3
/** Scale-out windows (and infrastructure restarts, from the profile's infraFrom) fall inside this share of the load phase. */
const WINDOW = { from: 0.1, to: 0.7 } as const
/** Cluster node faults and leader moves fall before this share of the load (they run one at a time and take a while each). */
const CLUSTER_WINDOW_END = 0.85
/** Upgrade passes begin inside this share of the load: the newer build then runs under load for the rest. */
const UPGRADE_WINDOW = { from: 0.15, to: 0.6 } as const
/** A kill of a second instance must leave it this long to come back before its window closes. */
const SECOND_INSTANCE_MARGIN_SECONDS = 3

/**
 * Every fault of a run, with its moment in seconds from the start of the load, drawn from the
 * seed: the same seed and profile always plan the same faults.
 */
export function planFaults(profile: Profile, random: Random): PlannedFault[] {
  const L = profile.loadSeconds
  const scaleRandom = random.fork('scale')
  const windows = spread(profile.scaleOut.windows, L * WINDOW.from, L * WINDOW.to - profile.scaleOut.forSeconds, scaleRandom)
    .map((at) => ({ kind: 'scaleout' as const, at, forSeconds: profile.scaleOut.forSeconds }))

  const killRandom = random.fork('kill')
  const kills: PlannedFault[] = SERVICES.flatMap((service) => killMoments(profile.killEverySeconds, QUIET_START_SECONDS, L - KILLS_END_BEFORE_SECONDS, killRandom)
    .map((at): PlannedFault => {
      const downSeconds = killRandom.between(...profile.restartAfterSeconds)
      const open = windows.some((w) => at > w.at && at + downSeconds < w.at + w.forSeconds - SECOND_INSTANCE_MARGIN_SECONDS)
      const instance: Instance = open && killRandom.chance(0.5) ? 2 : 1
      return { kind: 'kill', at, service, instance, downSeconds }
    }))

  const dupRandom = random.fork('dup')
  const dups: PlannedFault[] = arrivals(profile.duplicateEverySeconds, QUIET_START_SECONDS, L - DUPS_END_BEFORE_SECONDS, dupRandom)
    .map((at) => ({ kind: 'dup', at, messages: dupRandom.int(...profile.duplicatesPerInjection) }))

  const infraRandom = random.fork('infra')
  const infraKinds = shuffle([
    ...Array.from({ length: profile.kafka.restarts }, () => 'kafka' as const),
    ...Array.from({ length: profile.registry.restarts }, () => 'registry' as const),
    ...Array.from({ length: profile.postgres.restarts }, () => 'postgres' as const),
  ], infraRandom)
  const infra: PlannedFault[] = spread(infraKinds.length, L * profile.infraFrom, L * WINDOW.to, infraRandom).map((at, i) => {
    const kind = infraKinds[i]!
    if (kind === 'kafka') return { kind, at, outageSeconds: profile.kafka.outageSeconds }
    if (kind === 'registry') return { kind, at, outageSeconds: profile.registry.outageSeconds }
    return { kind, at }
  })

  // Upgrades alternate newer, older (a rollback), newer…: an odd count ends on the newer build.
  const upgrades = spread(profile.upgrades.passes, L * UPGRADE_WINDOW.from, L * UPGRADE_WINDOW.to, random.fork('upgrade'))
    .map((at, i): PlannedFault => ({ kind: 'upgrade', at, to: i % 2 === 0 ? 'newer' : 'older' }))

  return [...windows, ...kills, ...dups, ...infra, ...upgrades, ...clusterFaults(profile, random.fork('cluster'))].sort((a, b) => a.at - b.at)
}

/**
 * The cluster's faults: the node faults (broker kills, rolling restarts, controller failovers)
 * shuffled and spread over the load, leader moves and silent connections in lanes of their own.
 * None in single-node mode (all counts 0), so a single-node plan is what it always was.
 */
function clusterFaults(profile: Profile, random: Random): PlannedFault[] {
  const { cluster } = profile
  const L = profile.loadSeconds
  const nodeRandom = random.fork('nodes')
  const nodeKinds = shuffle([
    ...Array.from({ length: cluster.brokerKills }, () => 'broker-kill' as const),
    ...Array.from({ length: cluster.rollingRestarts }, () => 'rolling' as const),
    ...Array.from({ length: cluster.controllerFailovers }, () => 'controller' as const),
  ], nodeRandom)
  const nodeFaults = spread(nodeKinds.length, QUIET_START_SECONDS, L * CLUSTER_WINDOW_END, nodeRandom).map((at, i): PlannedFault => {
    const kind = nodeKinds[i]!
    const downSeconds = nodeRandom.between(...cluster.nodeDownSeconds)
    if (kind === 'broker-kill') return { kind, at, node: nodeRandom.int(1, cluster.nodes), downSeconds }
    if (kind === 'rolling') return { kind, at, firstNode: nodeRandom.int(1, cluster.nodes) }
    return { kind, at, downSeconds }
  })
  const leaderRandom = random.fork('leaders')
  const leaderMoves = spread(cluster.leaderMoves, QUIET_START_SECONDS, L * CLUSTER_WINDOW_END, leaderRandom)
    .map((at): PlannedFault => ({ kind: 'leader-move', at, pick: leaderRandom.next() }))
  const silentRandom = random.fork('silent-db')
  const silent = spread(cluster.silentDb, L * WINDOW.from, L * WINDOW.to, silentRandom)
    .map((at): PlannedFault => ({ kind: 'silent-db', at, service: silentRandom.pick(SERVICES) }))
  return [...nodeFaults, ...leaderMoves, ...silent]
}

/** Moments of a Poisson process with this mean gap, in [from, to). */
function arrivals(meanGap: number, from: number, to: number, random: Random): number[] {
  const out: number[] = []
  for (let t = from + random.exponential(meanGap); t < to; t += random.exponential(meanGap)) out.push(t)
  return out
}

/**
 * Kill moments of one service: the first within one mean gap of the start (every service is
 * killed at least once), then a Poisson process whose gaps are at least KILL_RECOVERY_SECONDS.
 */
function killMoments(meanGap: number, from: number, to: number, random: Random): number[] {
  if (to <= from) return []
  const out = [random.between(from, Math.min(to, from + meanGap))]
  for (let t = out[0]! + KILL_RECOVERY_SECONDS + random.exponential(meanGap); t < to; t += KILL_RECOVERY_SECONDS + random.exponential(meanGap)) out.push(t)
  return out
}

/** n moments, one in each of n equal slots of [from, to), at a random place in the slot's first half. */
function spread(n: number, from: number, to: number, random: Random): number[] {
  const width = (to - from) / Math.max(n, 1)
  return Array.from({ length: n }, (_, i) => from + i * width + random.between(0, width / 2))
}

function shuffle<T>(items: T[], random: Random): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = random.int(0, i)
    ;[items[i], items[j]] = [items[j]!, items[i]!]
  }
  return items
}
