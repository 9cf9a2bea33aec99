/** Length of the reason columns; reasons come from other services, unbounded. */
export const REASON_MAX_LENGTH = 500

/** A reason cut to fit its column, so a verbose upstream message cannot fail the saga step. */
export function clipReason(reason: string): string {
  return reason.length > REASON_MAX_LENGTH ? `${reason.slice(0, REASON_MAX_LENGTH - 1)}…` : reason
}
