/** How hard a chaos run pushes, and for how long. Means are of exponential gaps between faults. */
export interface Profile {
  name: 'short' | 'long'
  /** Seconds of load during which faults are injected. */
  loadSeconds: number
  /** Concurrent simulated clients. */
  workers: number
  /** HTTP actions per second, all workers together. */
  actionsPerSecond: number
  /** Mean gap between kills of one service, beyond the time its restart needs to rejoin. */
  killEverySeconds: number
  /** How long a killed process stays dead before it is started again. */
  restartAfterSeconds: readonly [number, number]
  duplicateEverySeconds: number
  /** Messages re-produced by one duplicate-delivery fault. */
  duplicatesPerInjection: readonly [number, number]
  /** Second instances of every service: how many windows, each how long. */
  scaleOut: { windows: number; forSeconds: number }
  kafka: { restarts: number; outageSeconds: number }
  registry: { restarts: number; outageSeconds: number }
  postgres: { restarts: number }
  /** Share of the load phase after which the restarts of Kafka, the registry and PostgreSQL begin. */
  infraFrom: number
  /** A final broker outage while the load goes on (0: none); the drain after it is measured. */
  brokerOutageSeconds: number
  /** The faults of a three-node cluster (all 0 with one node). */
  cluster: ClusterFaults
  /**
   * Rolling upgrades (upgrade.ts): passes alternate newer, older, newer… (odd: the run ends on the
   * newer build); old and new instances of a service run side by side for dwellSeconds.
   */
  upgrades: { passes: number; dwellSeconds: number }
  /** The drain gives up (a violation) after this long without progress (see quiescence.ts). */
  drainStallSeconds: number
  /** …and after this long in all, however it progresses: a backstop, far above any clean drain. */
  drainTimeoutSeconds: number
}

export interface ClusterFaults {
  /** Kafka nodes in the stack (CHOREO_BROKERS): the node faults need three. */
  nodes: number
  brokerKills: number
  rollingRestarts: number
  controllerFailovers: number
  leaderMoves: number
  /** Silent PostgreSQL connections of one service instance. */
  silentDb: number
  /** How long a killed node stays down. */
  nodeDownSeconds: readonly [number, number]
}

const SINGLE_NODE: ClusterFaults = { nodes: 1, brokerKills: 0, rollingRestarts: 0, controllerFailovers: 0, leaderMoves: 0, silentDb: 0, nodeDownSeconds: [0, 0] }
/** A killed node stays down a moment or a few seconds: long enough for the others to notice (sessions of 9 s) or not. */
const NODE_DOWN_SECONDS = [1, 8] as const

/** The outage lengths: Kafka stopped for 30 s, the registry for 20 s. */
const KAFKA_OUTAGE_SECONDS = 30
const REGISTRY_OUTAGE_SECONDS = 20
/** The bound on the drain after a broker outage. */
export const BROKER_OUTAGE_DRAIN_LIMIT_SECONDS = 90
/**
 * The drain fails after this long without progress. The longest pause a clean drain can have is
 * a consumer group waiting out a killed member's session (30 s) and then rebalancing, or a
 * crash-looping service's back-off (≤ 32 s): 90 s is three times either, and does not depend on
 * how fast the machine is, only on those timeouts.
 */
const DRAIN_STALL_SECONDS = 90

/**
 * The run inside `./choreo test`: a minute of load (4–6 minutes with setup, restarts and drain here), with a few
 * of each fault and one restart each of Kafka, the registry and PostgreSQL. The outages are
 * shorter than the so that it fits; the long run uses the issue's.
 */
export const shortProfile: Profile = {
  name: 'short',
  loadSeconds: 60,
  workers: 4,
  actionsPerSecond: 6,
  killEverySeconds: 20,
  restartAfterSeconds: [0.2, 2],
  duplicateEverySeconds: 5,
  duplicatesPerInjection: [1, 5],
  scaleOut: { windows: 1, forSeconds: 30 },
  kafka: { restarts: 1, outageSeconds: 8 },
  registry: { restarts: 1, outageSeconds: 8 },
  postgres: { restarts: 1 },
  // After the kills have rejoined: a service restarting while the registry is away cannot start.
  infraFrom: 0.5,
  brokerOutageSeconds: 0,
  cluster: SINGLE_NODE,
  upgrades: { passes: 1, dwellSeconds: 5 },
  drainStallSeconds: DRAIN_STALL_SECONDS,
  drainTimeoutSeconds: 600,
}

/**
 * `--minutes N`: about 35 faults a minute, so 30 minutes pass the 1,000: duplicates every
 * 2 s on average, a kill of each service a minute or so after the last (its restart needs the
 * dead member's session timeout to rejoin its group), an infrastructure restart every three
 * minutes or so, a scale-out window every two and a half.
 */
export function longProfile(minutes: number, brokerOutageMinutes: number): Profile {
  const loadSeconds = Math.round(minutes * 60)
  return {
    name: 'long',
    loadSeconds,
    workers: 6,
    actionsPerSecond: 6,
    killEverySeconds: 20,
    restartAfterSeconds: [0.2, 3],
    duplicateEverySeconds: 2,
    duplicatesPerInjection: [1, 8],
    scaleOut: { windows: Math.max(1, Math.floor(loadSeconds / 150)), forSeconds: 60 },
    kafka: { restarts: Math.max(1, Math.floor(loadSeconds / 180)), outageSeconds: KAFKA_OUTAGE_SECONDS },
    registry: { restarts: Math.max(1, Math.floor(loadSeconds / 180)), outageSeconds: REGISTRY_OUTAGE_SECONDS },
    postgres: { restarts: Math.max(1, Math.floor(loadSeconds / 240)) },
    infraFrom: 0.1,
    brokerOutageSeconds: Math.round(brokerOutageMinutes * 60),
    cluster: SINGLE_NODE,
    // One upgrade, its rollback and the upgrade again, each a quarter of an hour apart in a 30-minute run.
    upgrades: { passes: 3, dwellSeconds: 30 },
    drainStallSeconds: DRAIN_STALL_SECONDS,
    drainTimeoutSeconds: 1800,
  }
}

/**
 * The same run on a three-node cluster (`nodes` ≥ 3); unchanged on one node. The short run gets
 * one of each cluster fault (two leader moves) and no whole-cluster restart (the single-node run
 * of ./choreo test has that one). The long run, per 30 minutes: 30 broker kills, 5 rolling
 * restarts, 3 controller failovers, 36 leader moves, 10 silent connections, and 2 whole-cluster
 * restarts instead of 10. Node faults and leader moves take turns (faults.ts): on an idle 2-core
 * machine they fill about 27 of the 30 minutes; where they take longer, the load goes on until
 * the last has ended.
 */
export function onNodes(profile: Profile, nodes: number): Profile {
  if (nodes < 3) return profile
  if (profile.name === 'short') {
    return {
      ...profile,
      kafka: { ...profile.kafka, restarts: 0 },
      cluster: { nodes, brokerKills: 1, rollingRestarts: 1, controllerFailovers: 1, leaderMoves: 2, silentDb: 1, nodeDownSeconds: NODE_DOWN_SECONDS },
    }
  }
  const L = profile.loadSeconds
  return {
    ...profile,
    kafka: { ...profile.kafka, restarts: Math.max(1, Math.floor(L / 900)) },
    cluster: {
      nodes,
      brokerKills: Math.max(1, Math.ceil(L / 60)),
      rollingRestarts: Math.max(1, Math.floor(L / 360)),
      controllerFailovers: Math.max(1, Math.floor(L / 600)),
      leaderMoves: Math.max(1, Math.floor(L / 50)),
      silentDb: Math.max(1, Math.floor(L / 180)),
      nodeDownSeconds: NODE_DOWN_SECONDS,
    },
  }
}
