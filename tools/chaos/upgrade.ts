// The upgrade fault: every service rolled to the other build with one instance of surge, as an orchestrator's rolling update does it.
import { setTimeout as sleep } from 'node:timers/promises'
import { SERVICES, type Build, type Instance, type Service } from './plan.ts'
import type { Supervisor } from './supervisor.ts'

/**
 * A silenced instance is not restarted until its silence ends (silent-db measures how it recovers
 * by itself, and a restart would end it): the upgrade waits this long at most, then goes on.
 */
const SILENCE_WAIT_MS = 180_000
const SILENCE_POLL_MS = 500

export interface Upgrader {
  /** Moves every service's instances to the build, as a rolling update; says what it did. */
  pass(to: Build): Promise<string>
}

/**
 * A rolling update as an orchestrator does it with one instance of surge: for each service, the
 * second instance starts on the target build beside the first (old and new consume, relay and
 * answer HTTP side by side for dwellSeconds), then the first is stopped gracefully and started on
 * the target build, then the second is stopped again. The three services roll at the same time,
 * as three deployments would. An instance a fault has killed meanwhile is not started by the
 * upgrade: its next start (by the fault) runs the target build.
 */
export function createUpgrader(deps: {
  supervisor: Supervisor
  builds: Record<Build, string>
  dwellSeconds: number
  isSilenced?(service: Service, instance: Instance): boolean
  log(message: string): void
}): Upgrader {
  const { supervisor, builds, log } = deps

  /** Whether the instance's silence ended (or there was none) within SILENCE_WAIT_MS. */
  async function untilNotSilenced(service: Service, instance: Instance): Promise<boolean> {
    const deadline = Date.now() + SILENCE_WAIT_MS
    if (!deps.isSilenced?.(service, instance)) return true
    log(`upgrade: ${service}#${instance} waits: its database connections are silenced`)
    while (deps.isSilenced(service, instance) && Date.now() < deadline) await sleep(SILENCE_POLL_MS)
    return !deps.isSilenced(service, instance)
  }

  /**
   * Restarts one instance on the build, alone on it (a kill of it waits, or is waited for); one a
   * fault has down is left to the fault, whose start runs the build. One still silenced is left on
   * its build: restarting it would end the silence whose recovery silent-db is measuring.
   */
  async function replace(service: Service, instance: Instance, root: string): Promise<string> {
    if (!(await untilNotSilenced(service, instance))) return `#${instance} left on its build (still silenced after ${SILENCE_WAIT_MS / 1000}s)`
    return supervisor.exclusive(service, instance, async () => {
      supervisor.setBuild(service, instance, root)
      if (!supervisor.isWanted(service, instance)) return `#${instance} down (starts on it)`
      const from = Date.now()
      await supervisor.stop(service, instance)
      const back = await supervisor.start(service, instance)
      return `#${instance} ${back ? `back in ${((Date.now() - from) / 1000).toFixed(1)}s` : 'not answering'}`
    })
  }

  async function roll(service: Service, to: Build): Promise<string> {
    const root = builds[to]
    const steps: string[] = []
    const surge = !supervisor.isDesired(service, 2)
    if (surge) {
      supervisor.setBuild(service, 2, root)
      steps.push(`#2 ${(await supervisor.start(service, 2)) ? 'started' : 'not answering'}`)
    } else {
      steps.push(await replace(service, 2, root))
    }
    await sleep(deps.dwellSeconds * 1000)
    steps.push(await replace(service, 1, root))
    if (surge) {
      await supervisor.exclusive(service, 2, () => supervisor.stop(service, 2))
      steps.push('#2 stopped')
    }
    return `${service} ${steps.join(', ')}`
  }

  return {
    async pass(to) {
      log(`upgrade: rolling every service to the ${to} build`)
      const rolled = await Promise.all(SERVICES.map((service) => roll(service, to)))
      return `to the ${to} build: ${rolled.join('; ')}`
    },
  }
}
