// The fulfilment policy: how long a paid reservation waits before it ships.
/**
 * When a reservation paid in full leaves the warehouse: at once (a delay of 0, the default, which
 * tests, chaos runs and benchmarks rely on), or FULFILMENT_DELAY_MS later, so that a person trying
 * the API has time to cancel or modify a paid order before it ships.
 */
export interface Fulfilment {
  readonly delayMs: number
}

export const shipAtOnce: Fulfilment = { delayMs: 0 }
