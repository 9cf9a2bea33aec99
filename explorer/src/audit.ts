// The explorer's audit trail of repairs: one JSON line per action (who, when, what, result), appended to a file the page lists.
import { appendFile, readFile } from 'node:fs/promises'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'

export interface AuditEntry {
  /** The admin the session's token names. */
  who: string
  /** ISO 8601. */
  at: string
  what: string
  result: string
}

export interface AuditLog {
  append(entry: AuditEntry): Promise<void>
  /** The newest entries first. */
  recent(limit: number): Promise<AuditEntry[]>
}

/** Appends to `file` (created with its folder on first use); a line is written whole by one append, so concurrent ones never interleave. */
export function fileAuditLog(file: string): AuditLog {
  mkdirSync(dirname(file), { recursive: true })
  return {
    async append(entry) {
      await appendFile(file, `${JSON.stringify(entry)}\n`, { mode: 0o600 })
    },
    async recent(limit) {
      const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => { if (err.code === 'ENOENT') return ''; throw err })
      return text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as AuditEntry).reverse().slice(0, limit)
    },
  }
}
