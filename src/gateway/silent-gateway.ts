/**
 * The verified gateway holds its port but gave `/healthz` and `/readyz` no response within the
 * probe's 2 s: busy, stopped or stuck? Each is told apart by what was measured, never guessed, so
 * the operator is told whether to wait, resume it or restart it (a restart of a gateway that was
 * only busy drops its chats' running turns). Pure: discover.ts measures.
 *
 * Observed: a 2026.4.29 gateway deleting the tool's live-count probe session, right after a
 * `doctor` or `list`, blocks its event loop for 7–22 s in a `spawnSync`'d `npm install`
 * (docs/openclaw-probe-delete.md) and answers no HTTP meanwhile: its own thread idle, the child
 * busy, which is why the CPU counted is the process tree's (system/proc-tree.ts); a gateway stopped with SIGSTOP (the
 * real-gateway lanes) is in state `T` and uses none; a gateway loading its plugins uses 0.6–1.0
 * s of CPU per second (pending-read.ts, whose threshold this shares).
 */
import { judgePendingRead } from './pending-read.js';

/** What discover.ts measured of a verified, silent gateway. */
export interface SilentGateway {
  pid: number;
  /** How long the health probe waited for a response, ms. */
  waitedMs: number;
  /** CPU time the gateway process used meanwhile, ms (10 ms steps); null when /proc did not say. */
  gatewayCpuMs: number | null;
  /** In state T or t (/proc/PID/stat): stopped by a signal (SIGSTOP, SIGTSTP) or a debugger. */
  stopped: boolean;
}

export type SilentVerdict = 'stopped' | 'busy' | 'stuck' | 'unknown';

export function judgeSilentGateway(silent: SilentGateway): SilentVerdict {
  if (silent.stopped) return 'stopped';
  const verdict = judgePendingRead({ waitedMs: silent.waitedMs, gatewayCpuMs: silent.gatewayCpuMs });
  return verdict === 'busy' ? 'busy' : verdict === 'idle' ? 'stuck' : 'unknown';
}

/**
 * One clause saying what the silent gateway is doing (`gateway pid N holds this config's lock and
 * the socket, but …`), and what to do about it (a command or an instruction, pasteable).
 */
export function silentGatewayAdvice(silent: SilentGateway): { clause: string; fix: string } {
  const who = `gateway pid ${silent.pid} holds this config's lock and the socket`;
  const waited = `${(silent.waitedMs / 1000).toFixed(1)} s`;
  const cpu = silent.gatewayCpuMs === null ? '' : `${(silent.gatewayCpuMs / 1000).toFixed(1)} s of CPU`;
  switch (judgeSilentGateway(silent)) {
    case 'stopped':
      return { clause: `${who}, but it is stopped, by a signal such as SIGSTOP or by a debugger: it answers nothing until resumed`, fix: `resume it (kill -CONT ${silent.pid}), then run again` };
    case 'busy':
      return { clause: `${who} and is busy: no response to /healthz or /readyz within ${waited} while it and the processes it started used ${cpu}, as a gateway finishing a session delete or loading its plugins does: it is not hung`, fix: 'run again in a minute' };
    case 'stuck':
      return { clause: `${who}, but gave no response to /healthz or /readyz within ${waited} while it and the processes it started stayed idle (${cpu}): it is stuck`, fix: 'restart it (openclaw gateway restart), then run again' };
    default:
      return { clause: `${who}, but gave no response to /healthz or /readyz within ${waited}`, fix: 'run again in a minute (openclaw gateway restart if it never answers)' };
  }
}
