// `./choreo bench chart`: the newest saga result drawn as bench/saga-latency.png, saga and HTTP latency (log scale) against the offered rate.
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { progress } from './log.ts'
import { latestResult, RESULTS_DIR, ROOT } from './results.ts'

const CHART_FILE = path.join(ROOT, 'bench/saga-latency.png')

interface SagaStep {
  rate: number
  acceptedPerSecond: number
  httpP50Ms: number
  httpP99Ms: number
  sagaP50Ms: number
  sagaP99Ms: number
}

interface SagaResult {
  at: string
  machine: { cores: number; cpuModel: string; loadAverage: number[] }
  figures: { steps: SagaStep[] }
  targets: { sagaP50Ms: number; sagaP99Ms: number }
}

const W = 820
const H = 500
const M = { left: 80, right: 190, top: 60, bottom: 80 }
const SERIES = [
  { key: 'sagaP50Ms', label: 'saga p50', color: '#1f77b4', dash: '' },
  { key: 'sagaP99Ms', label: 'saga p99', color: '#d62728', dash: '' },
  { key: 'httpP50Ms', label: 'HTTP p50', color: '#1f77b4', dash: '6 4' },
  { key: 'httpP99Ms', label: 'HTTP p99', color: '#d62728', dash: '6 4' },
] as const

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;')

/** Saga and HTTP latency (log scale) against the offered rate, with the targets as dashed lines. */
function sagaChartSvg(result: SagaResult): string {
  const steps = result.figures.steps
  const values = steps.flatMap((s) => SERIES.map((k) => s[k.key])).concat(result.targets.sagaP50Ms, result.targets.sagaP99Ms).filter((v) => v > 0)
  const lo = Math.floor(Math.log10(Math.max(0.1, Math.min(...values))))
  const hi = Math.ceil(Math.log10(Math.max(...values)))
  const maxRate = Math.max(...steps.map((s) => s.rate))
  const x = (rate: number): number => M.left + (rate / maxRate) * (W - M.left - M.right)
  const y = (ms: number): number => H - M.bottom - ((Math.log10(Math.max(ms, 10 ** lo)) - lo) / (hi - lo || 1)) * (H - M.top - M.bottom)
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="DejaVu Sans, sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${M.left}" y="24" font-size="16" font-weight="bold">Saga latency against load (open loop, POST /orders)</text>`,
    `<text x="${M.left}" y="42" fill="#555">${esc(`${result.at.slice(0, 16)}Z · ${result.machine.cores} cores ${result.machine.cpuModel} · load average ${result.machine.loadAverage[0]} at start`)}</text>`,
  ]
  for (let e = lo; e <= hi; e++) {
    out.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${y(10 ** e)}" y2="${y(10 ** e)}" stroke="#ddd"/>`,
      `<text x="${M.left - 8}" y="${y(10 ** e) + 4}" text-anchor="end">${10 ** e >= 1 ? (10 ** e).toLocaleString('en') : 10 ** e} ms</text>`)
  }
  for (const s of steps) {
    out.push(`<line x1="${x(s.rate)}" x2="${x(s.rate)}" y1="${M.top}" y2="${H - M.bottom}" stroke="#eee"/>`,
      `<text x="${x(s.rate)}" y="${H - M.bottom + 18}" text-anchor="middle">${s.rate}/s</text>`,
      `<text x="${x(s.rate)}" y="${H - M.bottom + 34}" text-anchor="middle" fill="#555">${s.acceptedPerSecond} accepted</text>`)
  }
  out.push(`<text x="${(M.left + W - M.right) / 2}" y="${H - 18}" text-anchor="middle">offered orders per second (and accepted per second)</text>`,
    `<line x1="${M.left}" x2="${M.left}" y1="${M.top}" y2="${H - M.bottom}" stroke="#333"/>`,
    `<line x1="${M.left}" x2="${W - M.right}" y1="${H - M.bottom}" y2="${H - M.bottom}" stroke="#333"/>`)
  for (const [label, ms, color] of [['target saga p50', result.targets.sagaP50Ms, '#1f77b4'], ['target saga p99', result.targets.sagaP99Ms, '#d62728']] as const) {
    out.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${y(ms)}" y2="${y(ms)}" stroke="${color}" stroke-dasharray="2 3" opacity="0.6"/>`,
      `<text x="${W - M.right + 6}" y="${y(ms) + 4}" fill="${color}">${label} ${ms} ms</text>`)
  }
  SERIES.forEach((serie, i) => {
    const points = steps.map((s) => `${x(s.rate)},${y(s[serie.key])}`).join(' ')
    out.push(`<polyline points="${points}" fill="none" stroke="${serie.color}" stroke-width="2" stroke-dasharray="${serie.dash}"/>`)
    for (const s of steps) out.push(`<circle cx="${x(s.rate)}" cy="${y(s[serie.key])}" r="3" fill="${serie.color}"/>`)
    const ly = M.top + 10 + i * 20
    out.push(`<line x1="${W - M.right + 6}" x2="${W - M.right + 36}" y1="${ly}" y2="${ly}" stroke="${serie.color}" stroke-width="2" stroke-dasharray="${serie.dash}"/>`,
      `<text x="${W - M.right + 42}" y="${ly + 4}">${serie.label}</text>`)
  })
  out.push('</svg>')
  return out.join('\n')
}

/** rsvg-convert (Debian's librsvg2-bin) turns the SVG into the PNG; installed on first use. */
function ensureConverter(): void {
  try {
    execFileSync('rsvg-convert', ['--version'], { stdio: 'ignore' })
  } catch {
    progress('installing rsvg-convert (apt-get install librsvg2-bin)')
    try {
      execFileSync('sh', ['-c', 'apt-get install -y -qq librsvg2-bin || { apt-get update -qq && apt-get install -y -qq librsvg2-bin; }'], { stdio: 'ignore' })
    } catch (err) {
      throw new Error('rsvg-convert is missing and could not be installed: run `apt-get install librsvg2-bin` as root', { cause: err })
    }
  }
}

export function chartSaga(): void {
  const source = latestResult('saga')
  if (!source) throw new Error('no saga result in .bench/: run `./choreo bench saga` first')
  const svg = sagaChartSvg(JSON.parse(readFileSync(source, 'utf8')) as SagaResult)
  const svgFile = path.join(RESULTS_DIR, 'saga-latency.svg')
  mkdirSync(RESULTS_DIR, { recursive: true })
  writeFileSync(svgFile, svg)
  ensureConverter()
  execFileSync('rsvg-convert', ['-o', CHART_FILE, svgFile])
  console.log(`chart: ${path.relative(ROOT, CHART_FILE)} from ${path.relative(ROOT, source)}`)
}
