// The saga map's diagram against the real saga tables: every event in its publisher's lane, every event a step emits an arrow, compensations marked, the orders counted at each status.
import { describe, expect, it } from 'vitest'
import { eventSchemas, type EventType } from '@choreo/contracts'
import { ORDER_STATUSES } from '@choreo/order-service'
import { producerOf, sagas, services } from '@choreo/tools/lib/services.ts'
import { sagaMapPage } from './pages/saga-map-page.ts'
import { sagaDiagram, type Rect } from './saga-diagram.ts'

const types = Object.keys(eventSchemas) as EventType[]
const counts = new Map<string, number>(ORDER_STATUSES.map((s, i) => [s, 10 * i + 3]))
const diagram = sagaDiagram(counts)
const steps = services.flatMap((service) => Object.values(sagas[service]).map((step) => ({ service, step: step! })))
const apart = (a: Rect, b: Rect) => a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y

describe('the saga diagram', () => {
  it('draws each event type once, as a box inside the lane of the service that publishes it', () => {
    expect(diagram.boxes.map((b) => b.type).sort()).toEqual([...types].sort())
    for (const box of diagram.boxes) {
      const lane = diagram.lanes[box.lane]!
      expect(lane.service).toBe(producerOf(box.type))
      expect(box.y).toBeGreaterThanOrEqual(lane.y)
      expect(box.y + box.height).toBeLessThanOrEqual(lane.y + lane.height)
    }
    expect(diagram.lanes.map((l) => l.service)).toEqual(services)
  })

  it('draws an arrow, named by its step, from an event to each event the step reacting to it emits, and no other', () => {
    const expected = services.flatMap((service) => (Object.entries(sagas[service]) as [EventType, { name: string; emits: readonly EventType[] }][])
      .flatMap(([from, step]) => step.emits.map((to) => `${service} ${step.name}: ${from} → ${to}`)))
    expect(expected.length).toBeGreaterThan(0)
    expect(diagram.arrows.map((a) => `${a.service} ${a.step}: ${a.from} → ${a.to}`).sort()).toEqual(expected.sort())
  })

  it('marks exactly the compensation events, those some step is undone by', () => {
    const undoing = new Set(steps.flatMap(({ step }) => step.undoneBy))
    expect(undoing.size).toBeGreaterThan(0)
    expect(new Set(diagram.boxes.filter((b) => b.compensation).map((b) => b.type))).toEqual(undoing)
  })

  it('shows every order status with its count now, and an order reaches every status but the first by some event', () => {
    expect(diagram.statuses.map((s) => [s.status, s.count])).toEqual(ORDER_STATUSES.map((s) => [s, counts.get(s)]))
    for (const status of diagram.statuses.slice(1)) expect(status.reachedBy.length, status.status).toBeGreaterThan(0)
    expect(sagaDiagram(new Map()).statuses.every((s) => s.count === 0)).toBe(true)
  })

  it('lays out a left-to-right flow from OrderPlaced in which no box or step name covers another', () => {
    const column = (t: EventType) => diagram.boxes.find((b) => b.type === t)!.column
    expect(column('OrderPlaced')).toBe(0)
    expect(column('StockReserved')).toBeGreaterThan(column('OrderPlaced'))
    const rects = [...diagram.boxes, ...diagram.arrows.flatMap((a) => (a.label ? [a.label] : []))]
    rects.forEach((r, i) => rects.slice(i + 1).forEach((s) => expect(apart(r, s), JSON.stringify([r, s])).toBe(true)))
    for (const r of rects) expect(r.x + r.width).toBeLessThanOrEqual(diagram.width)
  })

  it('renders it as inline SVG with no inline style: every event, arrow and status count in the page', () => {
    const page = sagaMapPage(counts).value
    const svg = page.slice(page.indexOf('<svg'), page.indexOf('</svg>'))
    expect(svg).not.toMatch(/style[=>]/)
    for (const type of types) expect(svg).toContain(`data-event-type="${type}"`)
    expect(svg.match(/<g class="arrow[ "]/g)).toHaveLength(diagram.arrows.length)
    for (const s of ORDER_STATUSES) expect(svg).toMatch(new RegExp(`data-status="${s}">.*?<text class="count"[^>]*>${counts.get(s)}</text>`, 's'))
  })
})
