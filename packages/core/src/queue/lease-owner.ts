import { readFileSync } from "node:fs";
import { hostname, uptime } from "node:os";

/**
 * Who holds a lease: `<host>|<boot id>|<pid>|<process start>`. The host and the boot id say
 * whether the holder ran on this machine since its last boot; the pid and the process's start
 * time (clock ticks since boot, from `/proc/<pid>/stat`; empty where there is no `/proc`) say
 * whether it still runs, even after its pid was reused by another process (a restarted container
 * is pid 1 again).
 */
export type LeaseOwner = string;

const SEPARATOR = "|";

/** The `lastError` a change carries when it comes back because its holder's process died. */
export const LEASE_HOLDER_DIED_ERROR =
  "the process holding the lease died (killed or crashed); reclaimed without waiting for the lease to run out";

let current: LeaseOwner | undefined;

/** This process's lease owner id, computed once. */
export function currentLeaseOwner(): LeaseOwner {
  current ??= [hostname(), bootId(), String(process.pid), processStart(process.pid) ?? ""].join(
    SEPARATOR,
  );
  return current;
}

/**
 * Whether `owner` is a process of this machine that is certainly gone: it ran before the last
 * boot, or its pid is free, or its pid now belongs to a process started at another time. A holder
 * on another host, or one this cannot judge, is taken as alive (its lease runs out as usual).
 */
export function isLeaseOwnerDead(owner: LeaseOwner): boolean {
  const [host, boot, pidText, start] = owner.split(SEPARATOR);
  if (host !== hostname() || boot === undefined || pidText === undefined) return false;
  if (boot !== bootId()) return true;
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (owner === currentLeaseOwner()) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    // ESRCH: no such process. EPERM: it exists (another user's): alive.
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
  if (start === undefined || start === "") return false;
  const liveStart = processStart(pid);
  return liveStart !== undefined && liveStart !== start;
}

/**
 * The kernel's boot id where Linux has one; elsewhere the boot time, to the minute (uptime drifts
 * by milliseconds between reads).
 */
function bootId(): string {
  try {
    return readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
  } catch {
    return `boot@${Math.round((Date.now() - uptime() * 1_000) / 60_000)}`;
  }
}

/** Field 22 of `/proc/<pid>/stat` (start time in clock ticks since boot), or undefined. */
function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is in parentheses and may hold spaces: count from after it.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[19];
  } catch {
    return undefined;
  }
}
