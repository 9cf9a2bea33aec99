// The fault injector: runs the planned faults lane by lane at their moments, and counts what happened and the run-level troubles (no heal, stalls).
import { setTimeout as sleep } from 'node:timers/promises'
import { coordinatorsOf, createClusterFaults, type ClusterTrouble, type Coordinator } from './cluster-faults.ts'
import type { Duplicator } from './duplicator.ts'
import { FAULT_KINDS, KAFKA_TURN_FAULTS, laneOf, SERVICES, type FaultKind, type Instance, type Lane, type PlannedFault, type Service } from './plan.ts'
import type { SilentDb, SilentDbTrouble } from './silent-db.ts'
import type { StackControl } from './stack-control.ts'
import type { Supervisor } from './supervisor.ts'
import type { Upgrader } from './upgrade.ts'

export type FaultCounts = Record<FaultKind, number>

/**
 * A kill waits this long at most for a moment when the service is busy (rows in its outbox,
 * events being handled), so that it lands mid-batch more often than a blind kill would.
 */
const BUSY_WAIT_MS = 3000
const BUSY_POLL_MS = 20

/**
 * A node fault this long or longer must see the system move: rows published or events handled
 * somewhere. One node down is no outage with three replicas and min.insync.replicas 2; the
 * partitions it led are unavailable only until the controller notices (a 9 s session) and
 * elects new leaders.
 */
const FLOW_WINDOW_SECONDS = 20

/**
 * After the whole of Kafka was stopped, the services may be in crash-loop back-off (32 s at most)
 * or rejoining their groups: the next Kafka fault waits, this long at most, until every instance
 * meant to be up answers /health 200, so that it meets a system that is running again.
 */
const HEALTHY_AFTER_OUTAGE_MS = 120_000
const HEALTHY_POLL_MS = 500

/** Rules about the run that the data cannot show: the cluster healed, the sagas moved, a silenced service recovered. */
export type FaultTrouble = ClusterTrouble | SilentDbTrouble | { rule: 'stalled-during-broker-fault'; detail: string }

/** A shared component's fault as it ran (to: null while under way). */
interface Outage {
  what: string
  from: number
  to: number | null
}

/** One Kafka node stopped or killed (or each in turn): the faults whose flow is judged. */
const isNodeFault = (kind: FaultKind): boolean => kind === 'broker-kill' || kind === 'rolling' || kind === 'controller'

/** Work done across the three services since a moment: outbox rows published, events handled. */
export interface Flow {
  published: number
  handled: number
}

/** One fault as it happened, for result.json: seconds from the start of the load. */
export interface FaultEvent {
  kind: FaultKind
  at: number
  endedAt: number
  detail: string
}

/** The last moment something shook a service's consumer group: what, and when (epoch ms). */
export interface Shake {
  at: number
  what: string
}

export interface FaultInjector {
  /** Injects the planned faults, each lane in order, at their moments after `startedAt`; resolves when all have ended. */
  run(plan: readonly PlannedFault[], startedAt: number): Promise<void>
  /** Stops Kafka (every node) for this long while the load goes on, then starts it again. */
  brokerOutage(seconds: number, startedAt: number): Promise<void>
  readonly counts: FaultCounts
  readonly events: FaultEvent[]
  /** Messages re-produced by the duplicate faults. */
  readonly duplicatedMessages: number
  /** Kills after which the inbox held rows past the committed offset (see commit-window.ts). */
  readonly killsInCommitWindow: number
  /** When the last fault ended (epoch ms): the drain is measured from here. */
  readonly lastEndedAt: number
  /** Run-level violations the faults found (a cluster that did not heal, a service that did not recover). */
  readonly troubles: FaultTrouble[]
  /** Starts again whatever shared component an interrupted fault left stopped. */
  restore(): Promise<void>
  /**
   * When a Kafka fault last took the service's group coordinator down or moved it (a node fault on
   * the coordinator's node, a rolling or whole-Kafka restart, a controller failover, a leader move
   * of its offsets partition): each a pause in consuming of its own. (Its instances' starts and
   * stops are the supervisor's lastChange.)
   */
  lastShake(service: Service): Shake | null
}

/** A stack component that did not start is tried again this often before the run gives up. */
const START_ATTEMPTS = 3

export function createFaultInjector(deps: {
  supervisor: Supervisor
  stack: StackControl
  duplicator: Duplicator
  /** Inbox rows past the committed offset of the service's group, or null when Kafka cannot say. */
  probeCommitWindow(service: Service): Promise<number | null>
  /** Whether the service's relay or consumer is at work right now. */
  busy(service: Service): Promise<boolean>
  /** Cluster mode: the run's event topics and each service's consumer group (leader moves pick among their partitions). */
  cluster?: { topics: readonly string[]; groupOf: Record<Service, string> }
  /** The services' proxies to PostgreSQL, when silent-db faults are planned. */
  silentDb?: SilentDb
  /** Rolling upgrades between the builds, when upgrade faults are planned. */
  upgrader?: Upgrader
  /** Work done since a moment (epoch ms), to show that sagas flowed through a node fault. */
  flowSince(since: number): Promise<Flow>
  /** HTTP requests the load has made so far, and how many of them were never answered or answered 5xx. */
  httpTally(): { requests: number; failed: number }
  log(message: string): void
  /** FLOW_WINDOW_SECONDS unless a test shortens it. */
  flowWindowSeconds?: number
}): FaultInjector {
  const { supervisor, stack, duplicator, log } = deps
  const counts = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as FaultCounts
  const events: FaultEvent[] = []
  let duplicatedMessages = 0
  let killsInCommitWindow = 0
  let lastEndedAt = 0
  /** Shared components stopped and not yet started again, with how to start them. */
  const down = new Map<string, () => Promise<void>>()
  const troubles: FaultTrouble[] = []
  /** The shared components' faults, when each ran: a stall during a node fault may be theirs. */
  const outages: Outage[] = []
  const shakes = new Map<Service, Shake>()
  const shook = (services: readonly Service[], what: string) => { for (const s of services) shakes.set(s, { at: Date.now(), what }) }
  /** Faults that stop Kafka nodes or move leaders take turns (KAFKA_TURN_FAULTS). */
  let kafkaTurn: Promise<unknown> = Promise.resolve()
  const cluster = deps.cluster && createClusterFaults({
    stack: {
      ...stack,
      // A node killed or stopped is started again by restore() if the run is interrupted meanwhile.
      killNode: async (node) => { down.set(`kafka-${node}`, () => stack.startNode(node)); await stack.killNode(node) },
      stopNode: async (node) => { down.set(`kafka-${node}`, () => stack.startNode(node)); await stack.stopNode(node) },
      startNode: async (node) => { await stack.startNode(node); down.delete(`kafka-${node}`) },
    },
    topics: deps.cluster.topics,
    groups: Object.values(deps.cluster.groupOf),
    untilBusy: () => untilBusy(SERVICES),
    trouble: (t) => troubles.push(t),
    log,
  })

  async function inject(fault: PlannedFault, startedAt: number): Promise<void> {
    if (!KAFKA_TURN_FAULTS.has(fault.kind)) return injectNow(fault, startedAt)
    const turn = kafkaTurn.then(() => injectNow(fault, startedAt))
    kafkaTurn = turn.catch(() => {})
    return turn
  }

  async function injectNow(fault: PlannedFault, startedAt: number): Promise<void> {
    // A node fault is to show that one node down stalls nothing: it meets running services (not
    // ones in crash-loop back-off from an earlier fault), so that a stall is its own.
    const settled = isNodeFault(fault.kind) ? await untilHealthy() : null
    if (settled && !settled.startsWith('every')) log(`${fault.kind}: begins with ${settled}`)
    const unhealthyAtStart = isNodeFault(fault.kind) ? await supervisor.unhealthy() : []
    const began = Date.now()
    const http = deps.httpTally()
    let detail: string | null
    const coordinatorsBefore = KAFKA_TURN_FAULTS.has(fault.kind) ? await coordinatorsNow() : null
    try {
      detail = await execute(fault)
    } catch (err) {
      // The stack could not be driven (a tool failed, Kafka or PostgreSQL away at that moment):
      // the fault did not happen as planned and is not counted; the run goes on.
      log(`${fault.kind}: not injected: ${String(err)}`)
      // A node it stopped is started now, before the next fault takes another one down.
      for (const [what, start] of down) if (what.startsWith('kafka-')) await startAgain(what, start).catch((e: unknown) => log(`${what}: left down: ${String(e)}`))
      return
    }
    if (detail === null) return
    if (KAFKA_TURN_FAULTS.has(fault.kind)) shook(coordinatorShaken(fault, detail, coordinatorsBefore), fault.kind)
    if (isNodeFault(fault.kind)) detail += await flowDuring(fault.kind, began, http, unhealthyAtStart)
    counts[fault.kind]++
    lastEndedAt = Date.now()
    events.push({ kind: fault.kind, at: (began - startedAt) / 1000, endedAt: (lastEndedAt - startedAt) / 1000, detail })
    log(`${fault.kind}: ${detail}`)
  }

  /**
   * What users saw during a node fault: sagas moving (rows published, events handled), HTTP
   * answered. Nothing moving is a violation, unless something else stops the sagas meanwhile: a
   * shared component's outage overlapping it (the infra lane's faults), or services that were not
   * healthy when it began. Then it is logged, not judged: the node fault is not what stalled them.
   */
  async function flowDuring(kind: FaultKind, began: number, http: { requests: number; failed: number }, unhealthyAtStart: string[]): Promise<string> {
    const now = Date.now()
    const seconds = (now - began) / 1000
    const tally = deps.httpTally()
    const requests = tally.requests - http.requests
    const failed = tally.failed - http.failed
    const flow = await deps.flowSince(began).catch(() => null)
    if (flow === null) return `; flow not measurable; HTTP ${requests - failed}/${requests} answered`
    const moved = `; during it ${flow.published} rows published, ${flow.handled} events handled, HTTP ${requests - failed}/${requests} answered`
    if (seconds < (deps.flowWindowSeconds ?? FLOW_WINDOW_SECONDS) || flow.published + flow.handled > 0) return moved
    const overlapping = outages.filter((o) => o.from <= now && (o.to ?? now) >= began).map((o) => `${o.what} outage`)
    const excuses = [...new Set(overlapping), ...(unhealthyAtStart.length > 0 ? [`${unhealthyAtStart.join(', ')} not healthy when it began`] : [])]
    if (excuses.length > 0) return `${moved} (a stall not judged: ${excuses.join('; ')})`
    troubles.push({ rule: 'stalled-during-broker-fault', detail: `${kind}: nothing published or handled in ${seconds.toFixed(1)}s` })
    return moved
  }

  /** Each service's group coordinator (its offsets partition and that partition's leader), or null when unknown (one node, metadata away). */
  async function coordinatorsNow(): Promise<Map<Service, Coordinator> | null> {
    if (!deps.cluster) return null
    const parts = await stack.partitions().catch(() => null)
    return parts && coordinatorsOf(parts, deps.cluster.groupOf)
  }

  /** The services whose coordinator the Kafka fault took down or moved; every service when that cannot be told. */
  function coordinatorShaken(fault: PlannedFault, detail: string, before: Map<Service, Coordinator> | null): readonly Service[] {
    if (!before) return SERVICES
    if (fault.kind === 'broker-kill') return SERVICES.filter((s) => before.get(s)?.node === fault.node)
    if (fault.kind === 'leader-move') return SERVICES.filter((s) => { const p = before.get(s)?.partition; return p !== undefined && (detail.startsWith(`${p}:`) || detail.startsWith(`${p} `)) })
    return SERVICES
  }

  /** Runs a shared component's fault, remembering when it was under way (see flowDuring). */
  async function recorded<T>(what: string, fault: () => Promise<T>): Promise<T> {
    const outage: Outage = { what, from: Date.now(), to: null }
    outages.push(outage)
    try {
      return await fault()
    } finally {
      outage.to = Date.now()
    }
  }

  /** Injects one fault; what happened, or null when it could not be injected (and is not counted). */
  async function execute(fault: PlannedFault): Promise<string | null> {
    switch (fault.kind) {
      case 'kill': {
        const { service, instance } = fault
        if (!supervisor.isUp(service, instance)) return null
        if (silenced(service, instance)) return null
        const busy = await untilBusy([service])
        // Alone on the instance: an upgrade restarting it finishes first, or waits for the restart.
        return supervisor.exclusive(service, instance, async () => {
          if (silenced(service, instance)) return null
          if (!(await supervisor.kill(service, instance))) return null
          const alone = !supervisor.isUp(service, instance === 1 ? 2 : 1)
          const beyond = alone ? await deps.probeCommitWindow(service).catch(() => null) : null
          if (beyond) killsInCommitWindow++
          await sleep(fault.downSeconds * 1000)
          const restartedAt = Date.now()
          // A second instance whose scale-out window or upgrade surge ended meanwhile stays down.
          const back = supervisor.isDesired(service, instance) ? await supervisor.start(service, instance) : null
          const restart = back === null ? '' : back ? `, answering again ${((Date.now() - restartedAt) / 1000).toFixed(1)}s later` : ', not answering after its restart'
          return `kill -9 ${service}#${instance}${busy ? ' while busy' : ''}${beyond === null ? '' : `, ${beyond} handled but uncommitted`}, down ${fault.downSeconds.toFixed(1)}s${restart}`
        })
      }
      case 'dup': {
        const sent = await duplicator.inject(fault.messages)
        if (sent === 0) return null
        duplicatedMessages += sent
        return `re-produced ${sent} message(s)`
      }
      case 'scaleout': {
        await Promise.all(SERVICES.map((s) => supervisor.start(s, 2)))
        await sleep(fault.forSeconds * 1000)
        await Promise.all(SERVICES.map((s) => supervisor.exclusive(s, 2, () => supervisor.stop(s, 2))))
        return `second instance of every service for ${fault.forSeconds}s`
      }
      case 'kafka': {
        await recorded('kafka', () => outage('kafka', fault.outageSeconds, stack.stopKafka, stack.startKafka))
        // Inside the Kafka turn: the next node fault meets a balanced cluster and running services.
        const balanced = cluster ? `; ${await cluster.rebalance()}` : ''
        const back = await untilHealthy()
        return `broker stopped for ${fault.outageSeconds}s${balanced}; ${back}`
      }
      case 'registry':
        await recorded('registry', () => outage('registry', fault.outageSeconds, stack.stopRegistry, stack.startRegistry))
        return `registry stopped for ${fault.outageSeconds}s`
      case 'postgres':
        if (!stack.canRestartPostgres) return null
        await recorded('PostgreSQL', () => stack.restartPostgres())
        return 'PostgreSQL restarted'
      case 'broker-kill':
        return cluster ? cluster.brokerKill(fault) : null
      case 'rolling':
        return cluster ? cluster.rolling(fault) : null
      case 'controller':
        return cluster ? cluster.controller(fault) : null
      case 'leader-move':
        return cluster ? cluster.leaderMove(fault) : null
      case 'silent-db':
        return deps.silentDb ? recorded(`${fault.service} database silence`, () => deps.silentDb!.silence(fault.service, 1)) : null
      case 'upgrade':
        return deps.upgrader ? deps.upgrader.pass(fault.to) : null
    }
  }

  /**
   * A kill would end a silenced instance's silence before its recovery is measured (silent-db then
   * counts nothing): the kill gives way, and is not counted.
   */
  function silenced(service: Service, instance: Instance): boolean {
    if (!deps.silentDb?.isSilenced(service, instance)) return false
    log(`kill: ${service}#${instance} skipped: its database connections are silenced (silent-db measures its recovery)`)
    return true
  }

  /** Waits until every instance meant to be up answers /health 200; says how long that took, or which did not. */
  async function untilHealthy(): Promise<string> {
    const from = Date.now()
    for (;;) {
      const unhealthy = await supervisor.unhealthy()
      const took = ((Date.now() - from) / 1000).toFixed(1)
      if (unhealthy.length === 0) return `every service healthy ${took}s after`
      if (Date.now() - from > HEALTHY_AFTER_OUTAGE_MS) return `${unhealthy.join(', ')} still not healthy ${took}s after`
      await sleep(HEALTHY_POLL_MS)
    }
  }

  /** Waits (BUSY_WAIT_MS at most) until one of these services is at work; whether it found one so. */
  async function untilBusy(services: readonly Service[]): Promise<boolean> {
    const deadline = Date.now() + BUSY_WAIT_MS
    while (Date.now() < deadline) {
      for (const service of services) if (await deps.busy(service).catch(() => false)) return true
      await sleep(BUSY_POLL_MS)
    }
    return false
  }

  async function outage(what: string, seconds: number, stop: () => Promise<void>, start: () => Promise<void>): Promise<void> {
    log(`${what}: stopping`)
    down.set(what, start)
    await stop()
    await sleep(seconds * 1000)
    await startAgain(what, start)
  }

  async function startAgain(what: string, start: () => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await start()
        down.delete(what)
        return
      } catch (err) {
        log(`${what}: starting failed (attempt ${attempt}): ${String(err)}`)
        if (attempt >= START_ATTEMPTS) throw err
      }
    }
  }

  async function lane(faults: readonly PlannedFault[], startedAt: number): Promise<void> {
    for (const fault of faults) {
      const wait = startedAt + fault.at * 1000 - Date.now()
      if (wait > 0) await sleep(wait)
      await inject(fault, startedAt)
    }
  }

  return {
    async run(plan, startedAt) {
      const lanes = new Map<Lane, PlannedFault[]>()
      for (const fault of plan) lanes.set(laneOf(fault), [...(lanes.get(laneOf(fault)) ?? []), fault])
      await Promise.all([...lanes.values()].map((faults) => lane(faults, startedAt)))
    },
    async brokerOutage(seconds, startedAt) {
      await inject({ kind: 'kafka', at: (Date.now() - startedAt) / 1000, outageSeconds: seconds }, startedAt)
    },
    async restore() {
      for (const [what, start] of down) await startAgain(what, start)
    },
    lastShake(service) {
      return shakes.get(service) ?? null
    },
    counts,
    events,
    get duplicatedMessages() { return duplicatedMessages },
    get killsInCommitWindow() { return killsInCommitWindow },
    get lastEndedAt() { return lastEndedAt },
    troubles,
  }
}
