/**
 * The verified gateway holds its port but gave `/healthz` and `/readyz` no response within the
 * probe's 2 s: busy, stopped or stuck? Each is told apart by what was measured, never guessed, so
 * the operator is told whether to wait, resume it or restart it (a restart of a gateway that was
 * only busy drops its chats' running turns). Pure: discover.ts measures.
 *
 * Observed: a 2026.4.29 gateway deleting the tool's live-count probe session, right after a
 * `doctor` or `list`, blocks its event loop for 7–22 s in a `spawnSync`'d `npm install`
 * (docs/openclaw-probe-delete.md) and answers no HTTP meanwhile: its own thread idle, the child
 * busy, which is why the CPU counted is the process tree's (system/proc-tree.ts); a gateway
 * stopped with SIGSTOP (the real-gateway lanes) is in state `T` and uses none; a gateway loading its plugins uses 0.6–1.0
 * s of CPU per second (pending-read.ts, whose busy threshold this shares). Two seconds of CPU
 * cannot tell work that ends from a loop that never does: busy is waited for, but not forever.
 */
import { judgePendingRead } from './pending-read.js';

/** What discover.ts measured of a verified, silent gateway. */
export interface SilentGateway {
  pid: number;
  /** How long the health probe waited for a response, ms. */
  waitedMs: number;
  /** CPU time the gateway and the processes it started used meanwhile, ms (10 ms steps); null when /proc did not say. */
  gatewayCpuMs: number | null;
  /** In state T or t (/proc/PID/stat): stopped by a signal (SIGSTOP, SIGTSTP) or a debugger. */
  stopped: boolean;
  /** In state t (tracing stop): held by a debugger or tracer, which SIGCONT does not resume. */
  traced?: boolean;
  /**
   * In state D (uninterruptible sleep) when read: its thread waits in the kernel on I/O — a
   * synchronous read of a hung network filesystem or a failing disk under the state dir. No signal
   * acts on it until that I/O ends, so a restart would not either (helper-30).
   */
  diskWait?: boolean;
}

export type SilentVerdict = 'stopped' | 'busy' | 'stuck' | 'unknown';

/** The shares of a core are pending-read.ts's: busy from a tenth, idle (here: stuck) under 5%, unknown between. */
export function judgeSilentGateway(silent: SilentGateway): SilentVerdict {
  if (silent.stopped) return 'stopped';
  const verdict = judgePendingRead({ waitedMs: silent.waitedMs, gatewayCpuMs: silent.gatewayCpuMs });
  return verdict === 'idle' ? 'stuck' : verdict;
}

/**
 * One clause saying what the silent gateway is doing (`gateway pid N holds this config's lock and
 * the socket, but …`), and what to do about it (a command or an instruction, pasteable).
 * `restart`: the `openclaw gateway restart` command for this install (selection.ts openclawCommand).
 */
export function silentGatewayAdvice(silent: SilentGateway, restart = 'openclaw gateway restart'): { clause: string; fix: string } {
  const who = `gateway pid ${silent.pid} holds this config's lock and the socket`;
  const waited = `${(silent.waitedMs / 1000).toFixed(1)} s`;
  const cpu = silent.gatewayCpuMs === null ? '' : `${(silent.gatewayCpuMs / 1000).toFixed(1)} s of CPU`;
  const silence = `gave no response to /healthz or /readyz within ${waited}`;
  switch (judgeSilentGateway(silent)) {
    case 'stopped':
      if (silent.traced) return { clause: `${who}, but it is stopped under a debugger or tracer (state t): it answers nothing until that lets it go, and kill -CONT does not`, fix: `detach the debugger or tracer (its pid is TracerPid in /proc/${silent.pid}/status), then run again` };
      return { clause: `${who}, but it is stopped by a signal such as SIGSTOP (state T): it answers nothing until resumed`, fix: `resume it (kill -CONT ${silent.pid}), then run again` };
    case 'busy':
      return { clause: `${who} and is busy: it ${silence} while it and the processes it started used ${cpu}, as a gateway finishing a session delete (seconds) or loading its plugins (up to 76 s) does, or one caught in a loop`, fix: `run again in a minute; if it is still busy and silent after 5 minutes, restart it (${restart})` };
    case 'stuck':
      if (silent.diskWait) return { clause: `${who}, but ${silence} while it waited on I/O in the kernel (state D, ${cpu || 'no CPU reading'}): it is stuck until that I/O ends`, fix: `check the storage it waits on (dmesg; a network filesystem or failing disk under its state dir): no signal, a restart's included, acts on it before that I/O ends; then run again` };
      return { clause: `${who}, but ${silence} while it and the processes it started stayed idle (${cpu}): it is stuck`, fix: `restart it (${restart}), then run again` };
    default:
      return { clause: `${who}, but ${silence}${cpu ? ` while it and the processes it started used ${cpu}, neither idle nor a tenth of a core` : ''}`, fix: `run again in a minute; if it still answers nothing, restart it (${restart})` };
  }
}
