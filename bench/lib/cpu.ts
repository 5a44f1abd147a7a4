import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;
const SHARED_SERVERS = ['postgres', 'redis-server', 'nats-server'];

/** CPU seconds (user + system) of one process, or 0 once it is gone. */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** Read and write system calls (syscr + syscw of /proc/<pid>/io) of one process, or 0 once it is gone. */
function ioCalls(pid: number): number {
  try {
    const io = readFileSync(`/proc/${pid}/io`, 'utf8');
    return Number(/^syscr: (\d+)$/m.exec(io)?.[1] ?? 0) + Number(/^syscw: (\d+)$/m.exec(io)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/**
 * Voluntary context switches of one process, all its threads (each a wait on a socket, a lock or the
 * disk), or 0 once it is gone. /proc/<pid>/status counts the main thread only.
 */
function contextSwitches(pid: number): number {
  try {
    let total = 0;
    for (const thread of readdirSync(`/proc/${pid}/task`)) {
      total += Number(/^voluntary_ctxt_switches:\s+(\d+)$/m.exec(readFileSync(`/proc/${pid}/task/${thread}/status`, 'utf8'))?.[1] ?? 0);
    }
    return total;
  } catch {
    return 0;
  }
}

/**
 * The database a PostgreSQL backend serves, from its title (`postgres: 15/main: user database
 * 127.0.0.1(5432) idle`), or undefined for the server's own processes (checkpointer, walwriter...).
 */
function backendDatabase(pid: number): string | undefined {
  try {
    const title = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    const match = /^postgres: (?:[^:]+: )?\S+ (\S+) (?:\S+\(\d+\)|\[local\])/.exec(title);
    return match?.[1];
  } catch {
    return undefined;
  }
}

/** What a meter counts besides its named processes. */
export interface MeterScope {
  /** Count only the PostgreSQL backends of this database (and the server's own processes), not other databases' clients. */
  database?: string;
  /** The stack's private nats-server: counted by pid, and no other nats-server of the machine. */
  natsPid?: number;
  /** Processes left out (the benchmark's own database connection). */
  exclude?: number[];
  /** The shared servers counted (default: postgres, redis-server and nats-server). */
  servers?: string[];
}

function processesNamed(names: string[]): Map<number, string> {
  const found = new Map<number, string>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const command = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
      if (names.includes(command)) found.set(Number(entry), command);
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

/**
 * Where the CPU went during a measurement, per component: the named processes (services, baseline)
 * by pid, and the servers they share (every postgres, redis-server and nats-server process of the
 * machine, so measure on a quiet machine). Hand-written: pidusage and ps-list would read the same
 * /proc files, and two dependencies cost more than these few lines of Linux-only benchmark code.
 */
export class CpuMeter {
  private readonly start: Map<number, { cpu: number; io: number; switches: number }>;

  private constructor(
    private readonly named: Record<string, number | undefined>,
    private readonly scope: MeterScope,
  ) {
    this.start = new Map([...this.processes().keys()].map((pid) => [pid, { cpu: cpuSeconds(pid), io: ioCalls(pid), switches: contextSwitches(pid) }]));
  }

  static begin(named: Record<string, number | undefined>, scope: MeterScope = {}): CpuMeter {
    return new CpuMeter(named, scope);
  }

  /** Voluntary context switches per unit of work of each component since `begin`, and their total. */
  contextSwitchesPerUnit(units: number): Record<string, number> {
    return this.perComponent(units, (pid) => contextSwitches(pid) - (this.start.get(pid)?.switches ?? 0));
  }

  /**
   * CPU milliseconds per unit of work (a request, a mail) of each component since `begin`, and their
   * total. A process that ended meanwhile (a closed PostgreSQL connection) is missed.
   */
  perUnit(units: number): Record<string, number> {
    return this.perComponent(units, (pid) => (cpuSeconds(pid) - (this.start.get(pid)?.cpu ?? 0)) * 1000);
  }

  /**
   * Read and write system calls per unit of work of each component since `begin`, and their total:
   * on a virtual machine each socket round trip between processes costs far more than the work it carries.
   */
  ioCallsPerUnit(units: number): Record<string, number> {
    return this.perComponent(units, (pid) => ioCalls(pid) - (this.start.get(pid)?.io ?? 0));
  }

  private perComponent(units: number, usedBy: (pid: number) => number): Record<string, number> {
    const perUnit = new Map<string, number>();
    for (const [pid, component] of this.processes()) perUnit.set(component, (perUnit.get(component) ?? 0) + usedBy(pid) / Math.max(1, units));
    const round = (value: number) => Math.round(value * 100) / 100;
    const result = Object.fromEntries([...perUnit].map(([component, value]) => [component, round(value)]));
    return { ...result, total: round([...perUnit.values()].reduce((sum, value) => sum + value, 0)) };
  }

  /** Every measured process by pid, with the component it belongs to. */
  private processes(): Map<number, string> {
    const servers = this.scope.servers ?? SHARED_SERVERS;
    const found = processesNamed(this.scope.natsPid ? servers.filter((name) => name !== 'nats-server') : servers);
    if (this.scope.database) {
      for (const [pid, component] of found) {
        const database = component === 'postgres' ? backendDatabase(pid) : undefined;
        if (database !== undefined && database !== this.scope.database) found.delete(pid);
      }
    }
    for (const pid of this.scope.exclude ?? []) found.delete(pid);
    if (this.scope.natsPid) found.set(this.scope.natsPid, 'nats-server');
    found.set(process.pid, 'load generator');
    for (const [component, pid] of Object.entries(this.named)) if (pid) found.set(pid, component);
    return found;
  }
}
