import { setTimeout as sleep } from 'node:timers/promises'
import type { Duplicator } from './duplicator.ts'
import { FAULT_KINDS, laneOf, SERVICES, type FaultKind, type Lane, type PlannedFault, type Service } from './plan.ts'
import type { StackControl } from './stack-control.ts'
import type { Supervisor } from './supervisor.ts'

export type FaultCounts = Record<FaultKind, number>

/**
 * A kill waits this long at most for a moment when the service is busy (rows in its outbox,
 * events being handled), so that it lands mid-batch more often than a blind kill would.
 */
const BUSY_WAIT_MS = 3000
const BUSY_POLL_MS = 20

/** One fault as it happened, for result.json: seconds from the start of the load. */
export interface FaultEvent {
  kind: FaultKind
  at: number
  endedAt: number
  detail: string
}

export interface FaultInjector {
  /** Injects the planned faults, each lane in order, at their moments after `startedAt`; resolves when all have ended. */
  run(plan: readonly PlannedFault[], startedAt: number): Promise<void>
  /** Stops the Kafka broker for this long while the load goes on, then starts it again. */
  brokerOutage(seconds: number, startedAt: number): Promise<void>
  readonly counts: FaultCounts
  readonly events: FaultEvent[]
  /** Messages re-produced by the duplicate faults. */
  readonly duplicatedMessages: number
  /** Kills after which the inbox held rows past the committed offset (see commit-window.ts). */
  readonly killsInCommitWindow: number
  /** When the last fault ended (epoch ms): the drain is measured from here. */
  readonly lastEndedAt: number
  /** Starts again whatever shared component an interrupted fault left stopped. */
  restore(): Promise<void>
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
  log(message: string): void
}): FaultInjector {
  const { supervisor, stack, duplicator, log } = deps
  const counts = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as FaultCounts
  const events: FaultEvent[] = []
  let duplicatedMessages = 0
  let killsInCommitWindow = 0
  let lastEndedAt = 0
  let scaledOut = false
  /** Shared components stopped and not yet started again, with how to start them. */
  const down = new Map<string, () => Promise<void>>()

  async function inject(fault: PlannedFault, startedAt: number): Promise<void> {
    const began = Date.now()
    const detail = await execute(fault)
    if (detail === null) return
    counts[fault.kind]++
    lastEndedAt = Date.now()
    events.push({ kind: fault.kind, at: (began - startedAt) / 1000, endedAt: (lastEndedAt - startedAt) / 1000, detail })
    log(`${fault.kind}: ${detail}`)
  }

  /** Injects one fault; what happened, or null when it could not be injected (and is not counted). */
  async function execute(fault: PlannedFault): Promise<string | null> {
    switch (fault.kind) {
      case 'kill': {
        const { service, instance } = fault
        if (!supervisor.isUp(service, instance)) return null
        const busy = await untilBusy(service)
        if (!(await supervisor.kill(service, instance))) return null
        const alone = !supervisor.isUp(service, instance === 1 ? 2 : 1)
        const beyond = alone ? await deps.probeCommitWindow(service).catch(() => null) : null
        if (beyond) killsInCommitWindow++
        await sleep(fault.downSeconds * 1000)
        if (instance === 1 || scaledOut) await supervisor.start(service, instance)
        return `kill -9 ${service}#${instance}${busy ? ' while busy' : ''}${beyond === null ? '' : `, ${beyond} handled but uncommitted`}, down ${fault.downSeconds.toFixed(1)}s`
      }
      case 'dup': {
        const sent = await duplicator.inject(fault.messages)
        if (sent === 0) return null
        duplicatedMessages += sent
        return `re-produced ${sent} message(s)`
      }
      case 'scaleout': {
        scaledOut = true
        await Promise.all(SERVICES.map((s) => supervisor.start(s, 2)))
        await sleep(fault.forSeconds * 1000)
        scaledOut = false
        await Promise.all(SERVICES.map((s) => supervisor.stop(s, 2)))
        return `second instance of every service for ${fault.forSeconds}s`
      }
      case 'kafka':
        await outage('kafka', fault.outageSeconds, stack.stopKafka, stack.startKafka)
        return `broker stopped for ${fault.outageSeconds}s`
      case 'registry':
        await outage('registry', fault.outageSeconds, stack.stopRegistry, stack.startRegistry)
        return `registry stopped for ${fault.outageSeconds}s`
      case 'postgres':
        if (!stack.canRestartPostgres) return null
        await stack.restartPostgres()
        return 'PostgreSQL restarted'
    }
  }

  async function untilBusy(service: Service): Promise<boolean> {
    const deadline = Date.now() + BUSY_WAIT_MS
    while (Date.now() < deadline) {
      if (await deps.busy(service).catch(() => false)) return true
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
    counts,
    events,
    get duplicatedMessages() { return duplicatedMessages },
    get killsInCommitWindow() { return killsInCommitWindow },
    get lastEndedAt() { return lastEndedAt },
  }
}
