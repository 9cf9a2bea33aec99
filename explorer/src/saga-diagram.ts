// The saga map's diagram laid out from the saga tables: a box per event in its publisher's lane, an arrow per event a step emits, each order status with its count and the events that move an order into it.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { eventSchemas, type EventType } from '@choreo/contracts'
import { isTerminal, ORDER_STATUSES, statusAfterEvent, type OrderStatus } from '@choreo/order-service'
import { producerOf, sagas, services, type ServiceName } from '@choreo/tools/lib/services.ts'

// Geometry, in the SVG's own units (its viewBox); the page scales it to its width.
const MARGIN = 10
const COLUMN = 210
const BOX_WIDTH = 136
const BOX_HEIGHT = 34
const ROW = 44
const LANE_HEAD = 22
const LANE_GAP = 6
// Arrows that skip a column run along the foot of a lane, one track each, so that they cross no box.
const TRACK = 8
const BEND = 10
const STATUS_GAP = 34
const STATUS_HEIGHT = 46
const STATUS_LINE = 13
// Widths of a character of an event's name (12 px) and of an arrow's label (10.5 px), generous so that what is judged to fit does.
const NAME_CHAR = 6.9
const LABEL_CHAR = 6.4
const LABEL_HEIGHT = 14

export interface Rect { x: number; y: number; width: number; height: number }

export interface Lane extends Rect { service: ServiceName; index: number }

export interface EventBox extends Rect {
  type: EventType
  service: ServiceName
  lane: number
  column: number
  /** Some step's `undoneBy` names it: it undoes what another step did. */
  compensation: boolean
  /** Its name as written in the box: on two lines where one would not fit. */
  lines: string[]
}

export interface Arrow {
  from: EventType
  to: EventType
  /** The service whose step, reacting to `from`, emits `to`, and that step's handler. */
  service: ServiceName
  step: string
  compensation: boolean
  /** An SVG path (a cubic Bézier) from the one box to the other. */
  path: string
  /** Where the step's name is written, when it fits there; otherwise only the arrow's tooltip names it. */
  label?: Rect
}

export interface StatusNode extends Rect {
  status: OrderStatus
  count: number
  /** The events that move an order into this status, and from which statuses (by order-service's `statusAfter`). */
  reachedBy: { event: EventType; from: OrderStatus[] }[]
}

export interface SagaDiagram {
  width: number
  height: number
  lanes: Lane[]
  boxes: EventBox[]
  arrows: Arrow[]
  statuses: StatusNode[]
  /** The status row's caption, above it; and the spacing of the "reached by" lines under each node. */
  caption: { x: number; y: number }
  lineHeight: number
}

interface Edge { from: EventType; to: EventType; service: ServiceName; step: string }

/** Every (step, event it emits) of the three saga pages, in the services' order. */
function edgesOf(): Edge[] {
  return services.flatMap((service) => (Object.entries(sagas[service]) as [EventType, NonNullable<(typeof sagas)[ServiceName][EventType]>][])
    .flatMap(([from, step]) => step.emits.map((to) => ({ from, to, service, step: step.name }))))
}

function compensations(): Set<EventType> {
  return new Set(services.flatMap((s) => Object.values(sagas[s]).flatMap((step) => step?.undoneBy ?? [])))
}

/**
 * Each event's column. The entries (events no step emits: a request starts them) are column 0 and
 * the rest are layered by their longest path from them, so an arrow mostly points right. A cycle
 * (a step emitting an event whose step emits the first again) is cut at its edge that leads no
 * further from the entries, by breadth-first depth; an event no entry reaches goes after the rest.
 */
function columnsOf(types: EventType[], edges: Edge[]): Map<EventType, number> {
  const next = (t: EventType) => edges.filter((e) => e.from === t).map((e) => e.to)
  const emitted = new Set(edges.map((e) => e.to))
  const depth = new Map<EventType, number>(types.filter((t) => !emitted.has(t)).map((t) => [t, 0]))
  for (const queue = [...depth.keys()]; queue.length > 0;) {
    const t = queue.shift()!
    for (const to of next(t)) if (!depth.has(to)) { depth.set(to, depth.get(t)! + 1); queue.push(to) }
  }
  const reaches = (from: EventType, target: EventType): boolean => {
    const seen = new Set<EventType>([from])
    for (const stack = [from]; stack.length > 0;) {
      for (const to of next(stack.pop()!)) {
        if (to === target) return true
        if (!seen.has(to)) { seen.add(to); stack.push(to) }
      }
    }
    return false
  }
  const layered = edges.filter((e) => depth.has(e.from) && depth.has(e.to) && (depth.get(e.to)! > depth.get(e.from)! || !reaches(e.to, e.from)))
  const column = new Map<EventType, number>()
  const columnOf = (t: EventType): number => {
    if (!column.has(t)) column.set(t, Math.max(0, ...layered.filter((e) => e.to === t).map((e) => columnOf(e.from) + 1)))
    return column.get(t)!
  }
  const reached = types.filter((t) => depth.has(t))
  reached.forEach(columnOf)
  // An entry stands just before the first event it leads to, rather than far from it at the left.
  for (const t of reached.filter((r) => depth.get(r) === 0)) {
    const targets = layered.filter((e) => e.from === t).map((e) => column.get(e.to)!)
    if (targets.length > 0) column.set(t, Math.max(0, Math.min(...targets) - 1))
  }
  const last = Math.max(0, ...reached.map((t) => column.get(t)! + 1))
  for (const t of types) if (!depth.has(t)) column.set(t, last)
  return column
}

// An event of each type as its schema's defaults fill it (PaymentRefunded's reason: 'released'): what the status rules are asked about.
function sampleOf(type: EventType): Record<string, unknown> {
  const schema = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', eventSchemas[type].file), 'utf8')) as { fields: { name: string; default?: unknown }[] }
  return Object.fromEntries(schema.fields.filter((f) => 'default' in f).map((f) => [f.name, f.default]))
}

let transitions: Map<OrderStatus, StatusNode['reachedBy']> | undefined

/** For each status, the events that move an order there from a status that is not final, asked of order-service's own rules. */
export function statusTransitions(): Map<OrderStatus, StatusNode['reachedBy']> {
  if (transitions) return transitions
  const found = new Map<OrderStatus, StatusNode['reachedBy']>(ORDER_STATUSES.map((s) => [s, []]))
  for (const event of Object.keys(eventSchemas) as EventType[]) {
    const sample = sampleOf(event)
    for (const from of ORDER_STATUSES.filter((s) => !isTerminal(s))) {
      const to = statusAfterEvent(event, from, sample as never)
      if (to === from) continue
      const into = found.get(to)!
      const entry = into.find((r) => r.event === event) ?? into[into.push({ event, from: [] }) - 1]!
      entry.from.push(from)
    }
  }
  transitions = found
  return found
}

const overlaps = (a: Rect, b: Rect, pad = 2): boolean =>
  a.x < b.x + b.width + pad && b.x < a.x + a.width + pad && a.y < b.y + b.height + pad && b.y < a.y + a.height + pad

const round = (n: number): number => Math.round(n * 10) / 10

/** An event's name on one line, or on two split at the capital nearest its middle where one would not fit its box. */
function nameLines(type: string): string[] {
  if (type.length * NAME_CHAR <= BOX_WIDTH - 10) return [type]
  const capitals = [...type.matchAll(/[A-Z]/g)].map((m) => m.index).filter((i) => i > 0)
  if (capitals.length === 0) return [type]
  const half = type.length / 2
  const at = capitals.reduce((best, i) => (Math.abs(i - half) < Math.abs(best - half) ? i : best))
  return [type.slice(0, at), type.slice(at)]
}

/** An arrow between neighbouring columns is one curve through the gap between them; a longer one runs along a lane's foot. */
interface Route { edge: Edge; track?: { lane: number; index: number; y?: number } }

/**
 * The arrows' paths. Each leaves and enters its boxes by the sides facing each other (both right
 * sides within a column), its ends spread along a side in the order of where they head; where a
 * step's name fits on its path, covering no box and no other name, it is written there once.
 */
function arrowsOf(routes: Route[], box: Map<EventType, EventBox>, undone: Set<EventType>, width: number): Arrow[] {
  const ends = routes.map(({ edge, track }) => {
    const a = box.get(edge.from)!, b = box.get(edge.to)!
    const dir = Math.sign(b.column - a.column)
    const out = dir < 0 ? 'left' : 'right', into = dir > 0 ? 'left' : 'right'
    return [{ type: edge.from, side: out, toward: track?.y ?? b.y }, { type: edge.to, side: into, toward: track?.y ?? a.y }] as const
  })
  const ports = new Map<string, { route: number; toward: number }[]>()
  ends.forEach((pair, route) => pair.forEach(({ type, side, toward }) => {
    const key = `${type}:${side}`
    ports.set(key, [...(ports.get(key) ?? []), { route, toward }])
  }))
  const at = (route: number, end: 0 | 1): { x: number; y: number } => {
    const { type, side } = ends[route]![end]
    const b = box.get(type)!
    const order = ports.get(`${type}:${side}`)!.slice().sort((p, q) => p.toward - q.toward || p.route - q.route).map((p) => p.route)
    return { x: side === 'left' ? b.x : b.x + b.width, y: b.y + (b.height * (order.indexOf(route) + 1)) / (order.length + 1) }
  }
  const drawn = routes.map(({ edge, track }, i) => {
    const a = box.get(edge.from)!, b = box.get(edge.to)!
    const p = at(i, 0), q = at(i, 1)
    const dir = Math.sign(b.column - a.column) || 1
    const pt = (x: number, y: number) => `${round(x)} ${round(y)}`
    const arrow: Arrow = { ...edge, compensation: undone.has(edge.to), path: '' }
    if (track?.y !== undefined) {
      const offset = 20 + track.index * TRACK
      const g1 = p.x + dir * offset, g2 = q.x - dir * offset, y = track.y
      arrow.path = `M ${pt(p.x, p.y)} C ${pt(g1, p.y)}, ${pt(g1, y)}, ${pt(g1 + dir * BEND, y)} L ${pt(g2 - dir * BEND, y)} C ${pt(g2, y)}, ${pt(g2, q.y)}, ${pt(q.x, q.y)}`
      return { arrow, middle: { x: (g1 + g2) / 2, y }, along: { x: Math.min(g1, g2), y: y - 1, width: Math.abs(g2 - g1), height: 2 } }
    }
    const sameColumn = a.column === b.column
    const bend = Math.max(36, Math.abs(q.x - p.x) / 2)
    const c1 = sameColumn || dir > 0 ? p.x + bend : p.x - bend
    const c2 = sameColumn || dir < 0 ? q.x + bend : q.x - bend
    arrow.path = `M ${pt(p.x, p.y)} C ${pt(c1, p.y)}, ${pt(c2, q.y)}, ${pt(q.x, q.y)}`
    return { arrow, middle: { x: (p.x + 3 * c1 + 3 * c2 + q.x) / 8, y: (p.y + q.y) / 2 } }
  })
  // A name covers no box, no other name and no other arrow's run along a lane's foot.
  const taken: Rect[] = [...box.values()]
  const labelled = new Set<string>()
  for (const { arrow, middle, along } of drawn) {
    const step = `${arrow.service}:${arrow.from}:${arrow.step}`
    const w = arrow.step.length * LABEL_CHAR + 6
    const label = { x: round(middle.x - w / 2), y: round(middle.y - LABEL_HEIGHT / 2), width: round(w), height: LABEL_HEIGHT }
    const others = drawn.flatMap((d) => (d.along && d.along !== along ? [d.along] : []))
    if (!labelled.has(step) && label.x >= 0 && label.x + label.width <= width && ![...taken, ...others].some((r) => overlaps(r, label))) {
      arrow.label = label
      taken.push(label)
      labelled.add(step)
    }
  }
  return drawn.map((d) => d.arrow)
}

/** The whole diagram, given how many orders are at each status now. */
export function sagaDiagram(counts: ReadonlyMap<string, number>): SagaDiagram {
  const types = Object.keys(eventSchemas) as EventType[]
  const edges = edgesOf()
  const undone = compensations()
  const column = columnsOf(types, edges)
  const laneOf = (t: EventType) => services.indexOf(producerOf(t))
  const columns = Math.max(...column.values()) + 1
  const width = Math.max(2 * MARGIN + columns * COLUMN - (COLUMN - BOX_WIDTH), 2 * MARGIN + ORDER_STATUSES.length * 140)

  // An arrow that skips a column runs along the foot of the upper of its two lanes.
  const tracks = services.map(() => 0)
  const routes: Route[] = edges.map((edge) => {
    if (Math.abs(column.get(edge.to)! - column.get(edge.from)!) <= 1) return { edge }
    const lane = Math.min(laneOf(edge.from), laneOf(edge.to))
    return { edge, track: { lane, index: tracks[lane]!++ } }
  })

  // A lane is as tall as its fullest column, and its tracks. In a column, the events that deal
  // with upper lanes first (the mean lane of the events they come from and lead to), then by name.
  const near = (t: EventType) => {
    const lanes = edges.filter((e) => e.from === t || e.to === t).map((e) => laneOf(e.from === t ? e.to : e.from))
    return lanes.length > 0 ? lanes.reduce((sum, l) => sum + l, 0) / lanes.length : laneOf(t)
  }
  const lanes: Lane[] = []
  const boxes: EventBox[] = []
  let y = MARGIN
  services.forEach((service, index) => {
    const mine = types.filter((t) => laneOf(t) === index).sort((a, b) => near(a) - near(b) || a.localeCompare(b))
    const rows = new Map<number, number>()
    for (const type of mine) {
      const c = column.get(type)!
      const row = rows.get(c) ?? 0
      rows.set(c, row + 1)
      boxes.push({ type, service, lane: index, column: c, compensation: undone.has(type), lines: nameLines(type),
        x: MARGIN + c * COLUMN, y: y + LANE_HEAD + row * ROW, width: BOX_WIDTH, height: BOX_HEIGHT })
    }
    const foot = y + LANE_HEAD + Math.max(1, ...rows.values()) * ROW
    for (const r of routes) if (r.track?.lane === index) r.track.y = foot + r.track.index * TRACK
    const height = foot - y + tracks[index]! * TRACK
    lanes.push({ service, index, x: 0, y: y - LANE_GAP / 2, width, height: height + LANE_GAP })
    y += height + LANE_GAP
  })
  const arrows = arrowsOf(routes, new Map(boxes.map((b) => [b.type, b])), undone, width)

  const reached = statusTransitions()
  const pitch = (width - 2 * MARGIN) / ORDER_STATUSES.length
  const top = y + STATUS_GAP
  const statuses = ORDER_STATUSES.map((status, i): StatusNode => ({
    status, count: counts.get(status) ?? 0, reachedBy: reached.get(status)!,
    x: round(MARGIN + i * pitch + 4), y: top, width: round(pitch - 8), height: STATUS_HEIGHT,
  }))
  const lines = Math.max(0, ...statuses.map((s) => s.reachedBy.length))
  return { width, height: top + STATUS_HEIGHT + lines * STATUS_LINE + 2 * MARGIN, lanes, boxes, arrows, statuses, caption: { x: MARGIN, y: top - 10 }, lineHeight: STATUS_LINE }
}
