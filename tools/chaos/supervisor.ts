// The run's own service instances as child processes: started, killed, stopped, and restarted with back-off after a crash, as an orchestrator would.
import { join } from 'node:path'
import { healthStatus, launchService, waitForHealth, type ServiceProcess } from '@choreo/launcher'
import type { Instance, Service } from './plan.ts'

/** How long a started service may take to answer /health (it crash-loops while PostgreSQL or the registry is away). */
const READY_TIMEOUT_MS = 120_000
/**
 * A service that died on its own (not killed by the run) is started again after a pause that
 * doubles with each crash in a row, as an orchestrator's crash-loop back-off does; a process
 * that stayed up for STABLE_AFTER_MS starts the count again.
 */
const CRASH_BACKOFF = { initialMs: 1000, maxMs: 32_000 } as const
const STABLE_AFTER_MS = 60_000

export interface Supervisor {
  /** Starts the instance (if it is not running) and waits until it answers HTTP; false on time-out. */
  start(service: Service, instance: Instance): Promise<boolean>
  /** kill -9; false when the instance was not running. It stays down until start(), and stays desired. */
  kill(service: Service, instance: Instance): Promise<boolean>
  /** SIGTERM: the graceful shutdown a scale-in does. */
  stop(service: Service, instance: Instance): Promise<void>
  /** Ports of the instances meant to be up, for the load to spread requests over. */
  ports(service: Service): number[]
  isUp(service: Service, instance: Instance): boolean
  /** Whether the instance is meant to be up: started and not since killed or stopped. */
  isWanted(service: Service, instance: Instance): boolean
  /** Whether the run means the instance to exist: started and not stopped since (a kill leaves it desired, to be started again). */
  isDesired(service: Service, instance: Instance): boolean
  /**
   * Runs `op` alone on the instance: a kill fault and an upgrade's restart of the same instance
   * take turns, so that neither undoes the other halfway (a kill's downtime cut short by the
   * upgrade's start, an upgrade's graceful stop turned into a kill).
   */
  exclusive<T>(service: Service, instance: Instance, op: () => Promise<T>): Promise<T>
  /** Instances meant to be up (`order-service#1`) whose /health does not answer 200 right now. */
  unhealthy(): Promise<string[]>
  /** When the instance's current process was started (0: never). */
  startedAt(service: Service, instance: Instance): number
  /** When a process of the service last started or ended, whatever the cause (0: never): its group rebalanced then. */
  lastChange(service: Service): { at: number; what: string } | null
  /** Which checkout the instance's next process runs from (the run's root until set): a running one is not restarted. */
  setBuild(service: Service, instance: Instance, root: string): void
  /** Exits the run did not cause: each was followed by a restart. */
  readonly crashes: number
  stopAll(): Promise<void>
}

interface Slot {
  service: Service
  instance: Instance
  child: ServiceProcess | null
  /** Whether the instance should be running: an exit while wanted is a crash, and is restarted. */
  wanted: boolean
  /** Started and not stopped since: a killed instance is still desired (its fault starts it again). */
  desired: boolean
  /** The tail of the instance's exclusive operations. */
  turn: Promise<unknown>
  startedAt: number
  /** The checkout it runs from: the run's root, or another build (upgrade.ts). */
  build: string
  /** Crashes in a row, for the back-off. */
  inARow: number
  exited: Promise<void>
}

/**
 * Runs the run's own copies of the services as child processes through the launcher
 * (`node <service>/src/server.ts` of the run's checkout, or of another build an upgrade chose),
 * each instance on its own port with its log under the run's directory. A process that exits
 * without being told to is started again, as an orchestrator would. The processes die with the run.
 */
export function createSupervisor(deps: {
  root: string
  logDir: string
  portOf(service: Service, instance: Instance): number
  envOf(service: Service, instance: Instance): Record<string, string>
  log(message: string): void
}): Supervisor {
  const slots = new Map<string, Slot>()
  const changes = new Map<Service, { at: number; what: string }>()
  const changed = (service: Service, what: string) => changes.set(service, { at: Date.now(), what })
  let crashes = 0
  const keyOf = (service: Service, instance: Instance) => `${service}-${instance}`

  function slotOf(service: Service, instance: Instance): Slot {
    const key = keyOf(service, instance)
    let slot = slots.get(key)
    if (!slot) {
      slot = { service, instance, child: null, wanted: false, desired: false, turn: Promise.resolve(), startedAt: 0, build: deps.root, inARow: 0, exited: Promise.resolve() }
      slots.set(key, slot)
    }
    return slot
  }

  function launch(slot: Slot): void {
    const { service, instance } = slot
    const child = launchService({ service, root: slot.build, env: deps.envOf(service, instance), logFile: join(deps.logDir, `${keyOf(service, instance)}.log`) })
    slot.child = child
    slot.startedAt = Date.now()
    changed(service, `${keyOf(service, instance)} started`)
    slot.exited = child.exited.then(({ code, signal }) => {
      if (slot.child === child) slot.child = null
      changed(service, `${keyOf(service, instance)} ended`)
      if (!slot.wanted) return
      crashes++
      slot.inARow = Date.now() - slot.startedAt > STABLE_AFTER_MS ? 1 : slot.inARow + 1
      const delay = Math.min(CRASH_BACKOFF.maxMs, CRASH_BACKOFF.initialMs * 2 ** (slot.inARow - 1))
      deps.log(`${keyOf(service, instance)} exited on its own (code ${code}, signal ${signal}); restarting in ${delay / 1000}s`)
      setTimeout(() => { if (slot.wanted && !slot.child) launch(slot) }, delay).unref()
    })
  }

  const urlOf = (service: Service, instance: Instance) => `http://127.0.0.1:${deps.portOf(service, instance)}`

  return {
    async start(service, instance) {
      const slot = slotOf(service, instance)
      slot.wanted = true
      slot.desired = true
      if (!slot.child) launch(slot)
      // Any answer: a service whose database or registry a fault took away answers 503, and is started.
      // Polled across crash-loop restarts, until the run gives the instance up.
      if (await waitForHealth(urlOf(service, instance), { timeoutMs: READY_TIMEOUT_MS, accept: 'any', while: () => slot.wanted })) return true
      if (!slot.wanted) return false
      deps.log(`${keyOf(service, instance)} did not answer within ${READY_TIMEOUT_MS / 1000}s`)
      return false
    },

    async kill(service, instance) {
      const slot = slotOf(service, instance)
      // Not running (crashed, and its crash-loop restart pending): left to that restart.
      if (!slot.child) return false
      slot.wanted = false
      await slot.child.kill('SIGKILL')
      await slot.exited
      return true
    },

    async stop(service, instance) {
      const slot = slotOf(service, instance)
      slot.wanted = false
      slot.desired = false
      if (!slot.child) return
      await slot.child.stop()
      await slot.exited
    },

    ports(service) {
      return ([1, 2] as const).filter((i) => slots.get(keyOf(service, i))?.wanted).map((i) => deps.portOf(service, i))
    },

    isUp(service, instance) {
      return Boolean(slots.get(keyOf(service, instance))?.child)
    },

    isWanted(service, instance) {
      return Boolean(slots.get(keyOf(service, instance))?.wanted)
    },

    isDesired(service, instance) {
      return Boolean(slots.get(keyOf(service, instance))?.desired)
    },

    exclusive(service, instance, op) {
      const slot = slotOf(service, instance)
      const run = slot.turn.then(op, op)
      slot.turn = run.catch(() => {})
      return run
    },

    async unhealthy() {
      const wanted = [...slots.values()].filter((slot) => slot.wanted)
      const answers = await Promise.all(wanted.map(async (slot) => await healthStatus(urlOf(slot.service, slot.instance)) === 200))
      return wanted.filter((_, i) => !answers[i]).map((slot) => `${slot.service}#${slot.instance}`)
    },

    startedAt(service, instance) {
      return slots.get(keyOf(service, instance))?.startedAt ?? 0
    },

    lastChange(service) {
      return changes.get(service) ?? null
    },

    setBuild(service, instance, root) {
      slotOf(service, instance).build = root
    },

    get crashes() {
      return crashes
    },

    async stopAll() {
      await Promise.all([...slots.values()].map((slot) => this.stop(slot.service, slot.instance)))
    },
  }
}
