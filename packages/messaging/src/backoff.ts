export interface Backoff {
  initialMs: number
  maxMs: number
}

/** Exponential delay with full jitter, so retrying clients do not stampede together. */
export function backoffDelay(attempt: number, { initialMs, maxMs }: Backoff): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** attempt)
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2)
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve()
    const timer = setTimeout(done, ms)
    function done(): void {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    signal?.addEventListener('abort', done, { once: true })
  })
}
