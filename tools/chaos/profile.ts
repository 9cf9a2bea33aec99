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
  /** Giving up on quiescence after this long is itself a violation. */
  drainTimeoutSeconds: number
}

/** The outage lengths: Kafka stopped for 30 s, the registry for 20 s. */
const KAFKA_OUTAGE_SECONDS = 30
const REGISTRY_OUTAGE_SECONDS = 20
/** The bound on the drain after a broker outage. */
export const BROKER_OUTAGE_DRAIN_LIMIT_SECONDS = 90

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
  drainTimeoutSeconds: 75,
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
    drainTimeoutSeconds: 300,
  }
}
