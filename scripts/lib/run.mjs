import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { constants } from 'node:os';

/** Runs a command with inherited output; resolves with its exit code. */
export function run(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'inherit', ...options });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

/** Runs a command and fails loudly when it does. */
export async function runOrFail(command, args, options = {}) {
  const code = await run(command, args, options);
  if (code !== 0) throw new Error(`${command} ${args.join(' ')} exited with code ${code}`);
}

/** Command lines of the processes in a process group (Linux /proc; empty elsewhere). */
function groupMembers(groupId) {
  const members = [];
  let entries = [];
  try {
    entries = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return members;
  }
  for (const entry of entries) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, , group] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(group) === groupId && state !== 'Z') members.push(readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ').trim());
    } catch {
      // Ended while being read.
    }
  }
  return members;
}

/**
 * Runs a command (Vitest) as the leader of its own process group. When it ends, or this script is
 * stopped by a signal, everything still in the group is killed: services and nats-servers the tests
 * started and did not stop (a beforeAll that timed out, a killed worker) stay in the group even
 * after init adopts them, so nothing outlives the run.
 */
export function runAsGroup(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: 'inherit', ...options, detached: true });
    const signalGroup = (signal) => {
      try {
        process.kill(-child.pid, signal);
      } catch (error) {
        if (error.code !== 'ESRCH') throw error;
      }
    };
    const forward = (signal) => signalGroup(signal);
    const killLeftovers = () => signalGroup('SIGKILL');
    const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
    for (const signal of signals) process.on(signal, forward);
    process.on('exit', killLeftovers);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      const leftovers = groupMembers(child.pid);
      if (leftovers.length > 0) say(`stopping ${leftovers.length} process(es) the tests left running: ${leftovers.join('; ')}`);
      killLeftovers();
      for (const name of signals) process.off(name, forward);
      process.off('exit', killLeftovers);
      resolve(code ?? 128 + (constants.signals[signal] ?? 0));
    });
  });
}

/**
 * The command wrapped in a shell that first raises the soft open-file limit to the hard one: Debian's
 * soft default of 1,024 is too few for the 1,000-socket test. `exec` keeps the process id.
 */
export function withOpenFileLimitRaised(command, args) {
  return ['sh', ['-c', 'ulimit -S -n "$(ulimit -H -n)" 2>/dev/null; exec "$0" "$@"', command, ...args]];
}

/** The soft open-file limit a command started now would get once raised (the hard limit), or Infinity. */
export function openFileLimit() {
  const hard = spawnSync('sh', ['-c', 'ulimit -H -n'], { encoding: 'utf8' }).stdout.trim();
  return hard === 'unlimited' ? Infinity : Number(hard);
}

export function say(message) {
  process.stdout.write(`\x1b[36m[helpdesk]\x1b[0m ${message}\n`);
}
