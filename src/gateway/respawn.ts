/**
 * Would a restart signal *replace* the gateway process? Only a new process starts with an empty
 * ACP handle map; an in-process restart keeps the stale count (observed on 2026.4.2 with
 * OPENCLAW_NO_RESPAWN=1: same pid, count unchanged). Pure, over facts read from the gateway's
 * own environment (/proc/<pid>/environ) and root filesystem, judged BEFORE anything is pruned.
 *
 * What each version does after a SIGUSR1/SIGUSR2 restart (read in dist/, function
 * `restartGatewayProcessWithFreshPid` in src/infra/process-respawn.ts):
 * - 2026.4.2: `OPENCLAW_NO_RESPAWN` truthy (trim, lower-case: 1/true/yes/on) → in-process;
 *   a systemd hint in the environment (`OPENCLAW_SYSTEMD_UNIT`, `INVOCATION_ID`,
 *   `SYSTEMD_EXEC_PID`, `JOURNAL_STREAM`, non-empty) → the process exits for systemd to start
 *   it again; otherwise it spawns a detached copy of itself and exits (new pid).
 * - 2026.4.29: the same, plus: in a container (`/.dockerenv`, `/run/.containerenv`,
 *   `/var/run/.containerenv`, or /proc/1/cgroup matching docker/containerd/kubepods/lxc) →
 *   in-process ("use in-process restart to keep PID 1 alive").
 * - 2026.7.35 and 2026.9.6: only a supervisor replaces the process; unmanaged → in-process
 *   ("keep custom supervisor PID tracking stable"). 9.x spells truthy the same four ways.
 * Releases between those were not read: the stricter neighbour's rule is assumed (after 4.2 the
 * container rule, after 4.29 supervisor-only), so the tool refuses rather than guesses.
 */
import { compareVersions, parseCalendarVersion } from '../store/openclaw-version.js';
import { UNPINNED_COMMANDS, type InstallCommands } from '../install-commands.js';
import type { LoadedConfig } from '../store/config.js';
import type { Discovery } from './discover.js';
import { restartSignalFor, type RestartSignal } from './signals.js';

/** What `prune --recompute restart` may do to the gateway (GatewayStatus.restart). */
export type RestartJudgement = { ok: true; signal: RestartSignal; note: string } | { ok: false; why: string; fix: string };

export interface RespawnFacts {
  version: string | null;
  /** The gateway process's environment; null when unreadable. */
  gatewayEnv: Readonly<Record<string, string>> | null;
  /** The gateway sees itself in a container (its root has a sentinel, or its pid 1's cgroup says so); null when unknown. */
  container: boolean | null;
  /** `commands.restart` from the config (the gateway ignores external restart signals when false). */
  commandsRestart: boolean | undefined;
}

export type RespawnJudgement =
  | { replaces: true; how: 'spawn' | 'supervisor'; supervisor: string | null; note: string }
  | { replaces: false; why: string; fix: string };

const TRUTHY = new Set(['1', 'true', 'yes', 'on']);

/** `OPENCLAW_NO_RESPAWN` as 2026.4.2–9.6 read it: trimmed, lower-cased, one of 1/true/yes/on. */
export function isTruthyEnv(value: string | undefined): boolean {
  return value !== undefined && TRUTHY.has(value.trim().toLowerCase());
}

const SYSTEMD_HINTS = ['OPENCLAW_SYSTEMD_UNIT', 'INVOCATION_ID', 'SYSTEMD_EXEC_PID', 'JOURNAL_STREAM'];

export function supervisorOf(env: Readonly<Record<string, string>>): string | null {
  return SYSTEMD_HINTS.some((key) => (env[key]?.trim() ?? '') !== '') ? 'systemd' : null;
}

/** cgroup lines OpenClaw 4.29+ takes as "in a container". */
export function cgroupSaysContainer(cgroup: string): boolean {
  return /\/docker\/|cri-containerd-[0-9a-f]|containerd\/[0-9a-f]{64}|\/kubepods[/.]|\blxc\b/.test(cgroup);
}

/** Would a restart signal replace the gateway process (see above)? When not, `fix` names this install's `openclaw gateway run` (`commands`). */
export function judgeRespawn(facts: RespawnFacts, commands: InstallCommands = UNPINNED_COMMANDS): RespawnJudgement {
  const restartFix = `restart the gateway yourself (its service manager, or stop it and run \`${commands.openclaw(['gateway', 'run'])}\`)`;
  if (facts.commandsRestart === false) return { replaces: false, why: 'commands.restart is false in the config: the gateway ignores restart signals', fix: restartFix };
  const parsed = parseCalendarVersion(facts.version);
  if (!parsed) return { replaces: false, why: `the OpenClaw version is unknown${facts.version ? ` ("${facts.version}")` : ''}, so whether a restart replaces the process cannot be judged`, fix: restartFix };
  if (!facts.gatewayEnv) return { replaces: false, why: "the gateway's environment cannot be read (/proc/<pid>/environ), so OPENCLAW_NO_RESPAWN and its supervisor are unknown", fix: `run this tool as the gateway's user (or root), or ${restartFix}` };
  const noRespawn = facts.gatewayEnv.OPENCLAW_NO_RESPAWN;
  if (isTruthyEnv(noRespawn)) {
    return { replaces: false, why: `OPENCLAW_NO_RESPAWN=${noRespawn} in the gateway's environment: it would restart in-process and keep the stale count`, fix: `unset OPENCLAW_NO_RESPAWN in the gateway's service, or ${restartFix}` };
  }
  const supervisor = supervisorOf(facts.gatewayEnv);
  if (supervisor) {
    return { replaces: true, how: 'supervisor', supervisor, note: `the gateway exits and ${supervisor} starts it again (needs Restart= in its unit)` };
  }
  const after429 = compareVersions(parsed, [2026, 4, 29]) > 0;
  if (after429) {
    return { replaces: false, why: `OpenClaw ${facts.version} restarts in-process unless a service manager (systemd) supervises it`, fix: restartFix };
  }
  const after42 = compareVersions(parsed, [2026, 4, 2]) > 0;
  if (after42 && facts.container !== false) {
    const why = facts.container === null ? "whether the gateway runs in a container cannot be read, and in one" : 'the gateway runs in a container (/.dockerenv or container cgroups), where';
    return { replaces: false, why: `${why} OpenClaw ${facts.version} restarts in-process and keeps the stale count`, fix: `restart the container (docker restart …), or ${restartFix}` };
  }
  return { replaces: true, how: 'spawn', supervisor: null, note: 'the gateway spawns a fresh copy of itself and exits' };
}

/** Whether a restart would replace the verified gateway's process; its `fix` names `commands` (this install's). */
export function restartJudgement(discovery: Discovery, config: LoadedConfig, version: string | null, commands: InstallCommands = UNPINNED_COMMANDS): RestartJudgement {
  const restart = commands.openclaw(['gateway', 'restart']);
  const gateway = discovery.verified;
  if (!gateway) {
    const why = discovery.target.explicit
      ? `the gateway at ${discovery.target.url} has no verified local pid: it is never signalled`
      : discovery.answers
        ? `a gateway answers on port ${discovery.target.port}, but no lock proves its pid (running, pid unknown): it is never signalled`
        : 'no verified gateway process to signal';
    return { ok: false, why, fix: `restart the gateway with its own tooling (${restart}, or its service manager)` };
  }
  const signal = restartSignalFor(version);
  if (!signal.ok) return { ok: false, why: signal.why, fix: restart };
  const respawn = judgeRespawn({ version, gatewayEnv: gateway.environ, container: gateway.container, commandsRestart: config.facts.commands?.restart }, commands);
  if (!respawn.replaces) return { ok: false, why: respawn.why, fix: respawn.fix };
  return { ok: true, signal: signal.signal, note: respawn.note };
}
