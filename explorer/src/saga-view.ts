// What the saga page adds to a trace, derived from the saga tables: which events are compensations (and what they undo), and what may come next.
import type { EventType } from '@choreo/contracts'
import type { SagaTrace, TraceStep } from '@choreo/tools/lib/saga-trace.ts'
import { sagas, services, type ServiceName } from '@choreo/tools/lib/services.ts'

/** A step of some service's page that an event undoes (the page's `undoneBy`). */
export interface Undoing {
  service: ServiceName
  /** The event whose step it undoes, and that step's handler. */
  step: string
  handler: string
}

export interface ViewStep {
  step: TraceStep
  /** The steps this event undoes: non-empty for an event that starts or carries a compensation. */
  undoes: Undoing[]
  /** On the compensation branch: it undoes something, or a step on the branch emitted it (causation id). */
  compensation: boolean
}

/** An event a step that ran may still emit: the step's `emits`, none of which has come from it yet. */
export interface Expected {
  after: string
  service: ServiceName
  handler: string
  oneOf: readonly string[]
  does: string
}

/** Who undoes what, from every page: event type → the steps it undoes. */
function undoersOf(): Map<string, Undoing[]> {
  const undoers = new Map<string, Undoing[]>()
  for (const service of services) {
    for (const [type, entry] of Object.entries(sagas[service])) {
      for (const by of entry?.undoneBy ?? []) undoers.set(by, [...(undoers.get(by) ?? []), { service, step: type, handler: entry!.name }])
    }
  }
  return undoers
}

/** The trace's steps with their compensation marks, and what may come next while the order is not final. */
export function viewOf(trace: SagaTrace): { steps: ViewStep[]; expected: Expected[] } {
  const undoers = undoersOf()
  const onBranch = new Set<string>()
  const steps = trace.steps.map((step): ViewStep => {
    const undoes = undoers.get(step.type) ?? []
    const compensation = undoes.length > 0 || (step.causationId !== null && onBranch.has(step.causationId))
    if (compensation) onBranch.add(step.eventId)
    return { step, undoes, compensation }
  })
  const expected: Expected[] = []
  if (!trace.final) {
    for (const { step } of steps) {
      for (const c of step.consumers) {
        const entry = sagas[c.service][step.type as EventType]
        if (!entry || entry.emits.length === 0) continue
        const answered = trace.steps.some((s) => s.causationId === step.eventId && s.producer === c.service)
        if (!answered) expected.push({ after: step.type, service: c.service, handler: entry.name, oneOf: entry.emits, does: entry.does })
      }
    }
  }
  return { steps, expected }
}
