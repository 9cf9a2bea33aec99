// CPU time from /proc, per process and for the whole machine with Kafka, the registry and PostgreSQL apart: where a benchmark step's CPU went.
import { readdirSync, readFileSync } from 'node:fs'

// /proc/<pid>/stat counts in clock ticks; Linux reports them at 100 per second to user space.
const TICKS_PER_SECOND = 100

/** CPU time (user + system) a process has used so far, in milliseconds. */
export function processCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  // Fields after the command name, which may itself hold spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const utime = Number(fields[11])
  const stime = Number(fields[12])
  return ((utime + stime) * 1000) / TICKS_PER_SECOND
}

/** What else shares the machine with the services, told apart by command line. */
const GROUPS = [
  ['kafka', (cmd: string) => cmd.includes('kafka.Kafka')],
  ['registry', (cmd: string) => cmd.includes('apicurio')],
  // backends are 'postgres: …', the postmaster '…/bin/postgres -D …'
  ['postgres', (cmd: string) => cmd.startsWith('postgres') || cmd.includes('/bin/postgres ')],
] as const
export type CpuGroup = (typeof GROUPS)[number][0]

export interface MachineCpu {
  /** Busy CPU time of the whole machine so far (every core, every process, the kernel). */
  busyMs: number
  /** CPU time so far of the processes of each group that are alive now. */
  byGroup: Record<CpuGroup, number>
}

/** A snapshot to subtract from a later one: where a benchmark step's CPU went, beyond the services. */
export function machineCpu(): MachineCpu {
  // First line of /proc/stat: cpu user nice system idle iowait irq softirq steal ...; busy is
  // user + nice + system + irq + softirq (not idle, iowait, or steal: time the VM did not get).
  const [, user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0] = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).map(Number)
  const busyMs = ((user + nice + system + irq + softirq) * 1000) / TICKS_PER_SECOND
  const byGroup = Object.fromEntries(GROUPS.map(([g]) => [g, 0])) as Record<CpuGroup, number>
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ')
      const group = GROUPS.find(([, matches]) => matches(cmd))?.[0]
      if (group) byGroup[group] += processCpuMs(Number(entry))
    } catch {
      // the process ended between the listing and the read
    }
  }
  return { busyMs, byGroup }
}
