/**
 * Who listens on a TCP port, read from Linux /proc without shelling out: `/proc/net/tcp{,6}`
 * gives each socket's local address, state, owner uid and inode; `/proc/<pid>/fd/*` links
 * (`socket:[inode]`) tie an inode to the processes holding it. Used to prove that a process
 * really is the listener on the gateway port before trusting it with a secret or a signal.
 *
 * Readers return empty results rather than throwing: another network namespace (a container
 * with a published port), another user's fds, or no /proc at all are ordinary answers.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** TCP_LISTEN in the kernel's tcp_states.h, as printed (hex) in the `st` column. */
const TCP_LISTEN = '0A';

export interface ProcNetSocket {
  family: 4 | 6;
  /** Local address as printed by the kernel (hex, host byte order per 32-bit word). */
  localAddressHex: string;
  port: number;
  /** Two hex digits, e.g. `0A` for LISTEN. */
  state: string;
  uid: number;
  inode: number;
}

/**
 * Parses `/proc/net/tcp` or `/proc/net/tcp6` text. Columns (see proc(5)): sl, local_address
 * (`ADDR:PORT` in hex), rem_address, st, tx_queue:rx_queue, tr:tm->when, retrnsmt, uid, timeout,
 * inode, …. Malformed lines are skipped.
 */
export function parseProcNetTcp(text: string, family: 4 | 6): ProcNetSocket[] {
  const sockets: ProcNetSocket[] = [];
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 10) continue;
    const local = cols[1]!;
    const colon = local.lastIndexOf(':');
    if (colon < 0) continue;
    const port = Number.parseInt(local.slice(colon + 1), 16);
    const uid = Number(cols[7]);
    const inode = Number(cols[9]);
    if (!Number.isInteger(port) || !Number.isInteger(uid) || !Number.isInteger(inode)) continue;
    sockets.push({ family, localAddressHex: local.slice(0, colon), port, state: cols[3]!.toUpperCase(), uid, inode });
  }
  return sockets;
}

/** Listening TCP sockets on `port` in this network namespace (IPv4 and IPv6). */
export function listeningSockets(port: number): ProcNetSocket[] {
  const found: ProcNetSocket[] = [];
  for (const [file, family] of [['/proc/net/tcp', 4], ['/proc/net/tcp6', 6]] as const) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const socket of parseProcNetTcp(text, family)) if (socket.port === port && socket.state === TCP_LISTEN && socket.inode > 0) found.push(socket);
  }
  return found;
}

/** `socket:[12345]` → 12345; anything else → null. */
export function socketInodeOfLink(link: string): number | null {
  const match = /^socket:\[(\d+)\]$/.exec(link);
  return match ? Number(match[1]) : null;
}

/** Does `pid` hold one of these socket inodes open? False when its fds cannot be read. */
export function pidHoldsSocket(pid: number, inodes: ReadonlySet<number>): boolean {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return false;
  }
  for (const fd of fds) {
    try {
      const inode = socketInodeOfLink(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (inode !== null && inodes.has(inode)) return true;
    } catch {
      // fd closed meanwhile
    }
  }
  return false;
}

/**
 * Every pid (whose fds this process may read) holding one of the inodes. A listening socket
 * inherited by a child shows up under both; the caller decides which one it trusts.
 */
export function pidsHoldingSockets(inodes: ReadonlySet<number>): number[] {
  if (inodes.size === 0) return [];
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const pid = Number(name);
    if (pid === process.pid) continue;
    if (pidHoldsSocket(pid, inodes)) pids.push(pid);
  }
  return pids;
}
