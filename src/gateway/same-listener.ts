/**
 * Is the listener a command proved at its start still the one on the gateway's port? `prune`
 * connects again after its prompt (which may wait for minutes) and once more to read the live
 * count afterwards; by then the verified gateway may have exited or been replaced, and another
 * program may hold its port. Observed on a real 2026.4.29 gateway killed and started again while
 * `prune` waited at `[y/N]`: the deletes went to the new process unchecked (it would have sent the
 * token to whatever listened there), the report named the dead pid as the one that deleted them,
 * and "slots freed" subtracted the new process's count from the old one's.
 */
import { listeningSockets, pidHoldsSocket } from '../system/proc-net.js';
import { readProcStartTime } from '../system/proc.js';
import { inspectListener } from './discover.js';
import type { GatewayStatus } from './probe.js';

/**
 * Null when the listener on `status.port` is still the one proved (the verified pid, same start
 * time, holding the socket; for a gateway with no verified pid, a gateway process of the same
 * socket owner among the same pids), else why not, as one clause. `pid`: a gateway verified
 * since (the new process after a restart), which must hold the socket instead.
 * A gateway named by the operator (`--url`) is not on this host: always null.
 */
export function listenerChangedSince(status: GatewayStatus, pid?: number): string | null {
  if (status.remote) return null;
  const port = status.port;
  const verified = status.gateway;
  if (verified || pid !== undefined) {
    const expected = pid ?? verified!.pid;
    if (pid === undefined && readProcStartTime(expected) !== verified!.lock.startTime) return `gateway pid ${expected} is gone since it was checked (it exited, or was restarted)`;
    const inodes = new Set(listeningSockets(port).map((socket) => socket.inode));
    return pidHoldsSocket(expected, inodes) ? null : `gateway pid ${expected} no longer holds port ${port} since it was checked (it exited, or was restarted)`;
  }
  const before = status.discovery.listener;
  if (!before) return null;
  const now = inspectListener(port);
  // Discovery's own rule (discover.ts): the socket's owner, and a gateway among the holders when
  // they can be seen (another unprivileged user sees the owner uid only); then the same holders.
  const sameOwner = now.socketUid !== null && now.socketUid === before.socketUid;
  const holders = now.pids.length === 0 ? before.pids.length === 0 : now.gatewayPid !== null && (before.pids.length === 0 || now.pids.some((p) => before.pids.includes(p)));
  if (!sameOwner || !holders) {
    return `the listener on port ${port} changed since it was checked (pid ${before.pids.join(', ') || 'unknown'} then, ${now.pids.join(', ') || 'none'} now)`;
  }
  return null;
}
