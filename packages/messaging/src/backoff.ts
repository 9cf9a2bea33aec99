// Waiting between retries: exponential backoff with equal jitter, and a sleep that a stop cuts short.
export interface Backoff {
  initialMs: number
  maxMs: number
}

/**
 * Exponential delay with equal jitter: half the ceiling always, plus a random part of the other
 * half, so retrying clients do not stampede together yet none retries at once.
 */
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
