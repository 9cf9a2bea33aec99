/** The slice of pino's interface the package logs through; a service passes its own logger. */
export interface Logger {
  debug(obj: object, msg?: string): void
  info(obj: object, msg?: string): void
  warn(obj: object, msg?: string): void
  error(obj: object, msg?: string): void
  child(bindings: Record<string, unknown>): Logger
  /** pino's: whether a level is logged (absent: assume it is). */
  isLevelEnabled?(level: string): boolean
}

const noop = (): void => {}
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop, child: () => silentLogger }
