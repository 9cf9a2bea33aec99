// The benchmarks' progress lines on stderr, timed from start: stdout keeps each benchmark's one-line summary alone.
const started = performance.now()

/** Progress on stderr, with seconds since start; stdout keeps the one-line summary alone. */
export function progress(message: string): void {
  process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(1).padStart(6)}s] ${message}\n`)
}
