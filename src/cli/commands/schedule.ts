/**
 * `openclaw-sessions schedule`: the cron line and systemd --user units that run `prune`
 * unattended for this install; `--install systemd|cron` writes them, `--uninstall` removes them.
 */
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CliError, EXIT } from '../exit-codes.js';
import { packageInfo } from '../package-root.js';
import { installCron, installSystemd, systemdUserDir, uninstallCron, uninstallSystemd } from '../../schedule/install.js';
import { CLEAN_UNIT_NAME, cronBlock, METRICS_UNIT_NAME, parseEvery, parseMetricsEvery, systemdCleanUnits, systemdMetricsService, systemdMetricsTimer, systemdService, systemdTimer, UNIT_NAME, type ScheduleSpec } from '../../schedule/units.js';
import { assertOneStateDir } from '../common-options.js';
import { parseDurationFlag } from '../parse.js';
import { DEFAULT_METRICS_EVERY } from '../../defaults.js';
import { resolveStateLocation } from '../../store/paths.js';
import { loadConfig } from '../../store/config.js';
import { assertNamedStateDirExists } from '../../store/explicit-names.js';
import { loadNodeSqlite } from '../../store/sqlite-open.js';
import { acpStateDbPath } from '../../store/read-acp-state.js';
import { discoverAgentsOnDisk, sqliteStorePathFor } from '../../store/stores.js';
import type { CliIo } from '../io.js';
import type { ScheduleReport } from '../../report/schedule-report.js';
import { SCHEDULE_SCHEMA_VERSION } from '../../report/versions.js';
import { ownerOf, type Owner } from '../../system/privileges.js';
import { ownCodeUnreadableBy } from '../../system/own-code.js';
import { metricsCadenceWarning } from '../../schedule/metrics-cadence.js';
import { findInstalledOpenclaw } from '../../store/openclaw-version.js';

export interface ScheduleFlags {
  profile?: string;
  stateDir?: string;
  config?: string;
  every: string;
  allowRestart?: boolean;
  olderThan?: string;
  install?: string;
  uninstall?: boolean;
  force?: boolean;
  enable: boolean;
  json?: boolean;
  metricsTextfile?: string;
  metricsEvery: string;
  clean?: boolean;
  cleanKeep: string;
}

export async function runSchedule(flags: ScheduleFlags, io: CliIo): Promise<number> {
  assertOneStateDir(flags);
  if (flags.olderThan !== undefined) parseDurationFlag(flags.olderThan, '--older-than');
  const location = resolveStateLocation(io.env, flags);
  // Cron and systemd run without OPENCLAW_HOME, where `--profile NAME` names ~/.openclaw-NAME: a unit for one under it names its dir.
  const spec = scheduleSpec(flags, location.stateDir, location.configPath, io.env.OPENCLAW_HOME?.trim() ? null : location.profile);
  const unitDir = systemdUserDir(io.env, location.home);
  const block = cronBlock(spec);
  const service = systemdService(spec);
  const timer = systemdTimer(spec);
  const metricsService = systemdMetricsService(spec);
  const metricsTimer = systemdMetricsTimer(spec);
  const clean = systemdCleanUnits(spec);
  // A unit for a state dir that does not exist would run "Nothing to prune" forever (helper-29);
  // after the units are made, so a path that cannot be written into one says that first.
  assertNamedStateDirExists(flags, location, io.env);
  const units = [
    { name: `${UNIT_NAME}.service`, content: service },
    { name: `${UNIT_NAME}.timer`, content: timer },
    ...(metricsService && metricsTimer
      ? [
          { name: `${METRICS_UNIT_NAME}.service`, content: metricsService },
          { name: `${METRICS_UNIT_NAME}.timer`, content: metricsTimer },
        ]
      : []),
    ...(clean
      ? [
          { name: `${CLEAN_UNIT_NAME}.service`, content: clean.service },
          { name: `${CLEAN_UNIT_NAME}.timer`, content: clean.timer },
        ]
      : []),
  ];
  if (!flags.uninstall) for (const warning of runWarnings(spec, location, io.env)) io.stderr.write(`openclaw-sessions: warning: ${warning}\n`);
  if (flags.uninstall) {
    const removed = uninstallSystemd(unitDir, io.env);
    const cron = uninstallCron(io.env);
    io.stdout.write(removed.length === 0 && !cron ? 'Nothing to remove: no openclaw-sessions timer or crontab block found.\n' : `${[...removed.map((f) => `removed ${f}`), ...(cron ? ['removed the openclaw-sessions block from the crontab'] : [])].join('\n')}\n`);
    return EXIT.ok;
  }
  if (flags.install === 'systemd') return installSystemdUnits(unitDir, units, flags, io);
  if (flags.install === 'cron') {
    const outcome = installCron(block, { force: flags.force ?? false, env: io.env });
    io.stdout.write(outcome === 'written' ? 'crontab updated (crontab -l shows the openclaw-sessions block)\n' : 'crontab already has this block; unchanged\n');
    return EXIT.ok;
  }
  if (flags.install !== undefined) throw new CliError(EXIT.usage, `--install takes systemd or cron, not "${flags.install}"`);

  if (flags.json) {
    const metrics = metricsService && metricsTimer ? { service: { name: `${METRICS_UNIT_NAME}.service`, content: metricsService }, timer: { name: `${METRICS_UNIT_NAME}.timer`, content: metricsTimer } } : null;
    const cleanUnits = clean ? { service: { name: `${CLEAN_UNIT_NAME}.service`, content: clean.service }, timer: { name: `${CLEAN_UNIT_NAME}.timer`, content: clean.timer } } : null;
    const report: ScheduleReport = { schemaVersion: SCHEDULE_SCHEMA_VERSION, cron: block, systemd: { dir: unitDir, service: { name: `${UNIT_NAME}.service`, content: service }, timer: { name: `${UNIT_NAME}.timer`, content: timer }, metrics, clean: cleanUnits } };
    io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return EXIT.ok;
  }
  io.stdout.write(
    [
      '# crontab (crontab -e), or: openclaw-sessions schedule --install cron',
      block,
      '',
      `# ${path.join(unitDir, `${UNIT_NAME}.service`)}`,
      service,
      `# ${path.join(unitDir, `${UNIT_NAME}.timer`)}`,
      timer,
      ...(metricsService && metricsTimer ? [`# ${path.join(unitDir, `${METRICS_UNIT_NAME}.service`)}`, metricsService, `# ${path.join(unitDir, `${METRICS_UNIT_NAME}.timer`)}`, metricsTimer] : []),
      ...(clean ? [`# ${path.join(unitDir, `${CLEAN_UNIT_NAME}.service`)}`, clean.service, `# ${path.join(unitDir, `${CLEAN_UNIT_NAME}.timer`)}`, clean.timer] : []),
      `# then: systemctl --user daemon-reload && systemctl --user enable --now ${units.filter((u) => u.name.endsWith('.timer')).map((u) => u.name).join(' ')}`,
      '# or:   openclaw-sessions schedule --install systemd',
      '',
    ].join('\n'),
  );
  return EXIT.ok;
}

/** `--install systemd`: writes the units, enables their timers unless --no-enable, and says which. */
async function installSystemdUnits(unitDir: string, units: Array<{ name: string; content: string }>, flags: ScheduleFlags, io: CliIo): Promise<number> {
  const outcome = await installSystemd(unitDir, units, { force: flags.force ?? false, enable: flags.enable, env: io.env });
  const lines = [...outcome.written.map((f) => `wrote ${f}`), ...outcome.unchanged.map((f) => `unchanged ${f}`)];
  const timers = units.filter((u) => u.name.endsWith('.timer')).map((u) => u.name);
  // --no-enable never runs systemctl: "not reachable" would be a claim nothing checked.
  const why = flags.enable ? 'systemctl --user was not reachable' : `${timers.length > 1 ? 'timers' : 'timer'} not enabled (--no-enable)`;
  if (outcome.followUp.length) lines.push(`${why}; to activate ${timers.length > 1 ? 'them' : 'it'} run:`, ...outcome.followUp.map((c) => `  ${c}`));
  else lines.push(`timer${timers.length > 1 ? 's' : ''} enabled: systemctl --user list-timers ${timers.join(' ')}`);
  io.stdout.write(`${lines.join('\n')}\n`);
  return EXIT.ok;
}

export function scheduleSpec(flags: ScheduleFlags, stateDir: string, configPath: string | null, profile: string | null): ScheduleSpec {
  const everyMinutes = parseEvery(parseDurationFlag(flags.every, '--every'));
  // Absolute paths: cron and systemd run with a minimal PATH and another working directory.
  const binPath = path.join(packageInfo().root, 'bin', 'openclaw-sessions.js');
  const targetArgs = profile ? ['--profile', profile] : ['--state-dir', stateDir, ...(configPath ? ['--config', configPath] : [])];
  const pruneArgs = [...(flags.allowRestart ? ['--allow-restart'] : []), ...(flags.olderThan ? ['--older-than', flags.olderThan] : [])];
  // "Random" but stable per host and install, so a re-install writes the same text.
  const seed = createHash('sha256').update(`${os.hostname()}|${stateDir}`).digest().readUInt32BE(0);
  const offset = seed % Math.min(everyMinutes, 60);
  const metrics = flags.metricsTextfile ? { textfileDir: path.resolve(flags.metricsTextfile), everyMinutes: parseMetricsEvery(parseDurationFlag(flags.metricsEvery ?? DEFAULT_METRICS_EVERY, '--metrics-every')) } : null;
  // Checked now, so a typo fails here rather than every night in the timer.
  if (flags.clean) parseDurationFlag(flags.cleanKeep, '--clean-keep');
  const clean = flags.clean ? { keep: flags.cleanKeep } : null;
  return { nodePath: process.execPath, binPath, targetArgs, pruneArgs, everyMinutes, offset, metrics, clean };
}

/** What would make every scheduled run fail, or cost the gateway, said now rather than every night in the timer. */
function runWarnings(spec: ScheduleSpec, { stateDir, configPath }: { stateDir: string; configPath: string | null }, env: Readonly<Record<string, string | undefined>>): string[] {
  const warnings: string[] = [];
  // Observed: a config that does not parse got units printed, exit 0, and no word; every run then exits 1.
  const broken = configProblem(configPath, env);
  if (broken) warnings.push(`${broken}: each scheduled run would fail (exit 1) until it is fixed`);
  const cadence = spec.metrics && metricsCadenceWarning(findInstalledOpenclaw(env).version, spec.metrics.everyMinutes);
  if (cadence) warnings.push(cadence);
  if (spec.metrics && !isDirectory(spec.metrics.textfileDir)) warnings.push(`${spec.metrics.textfileDir} is not a directory yet; each metrics run fails until it exists and this user can write it`);
  if (!loadNodeSqlite() && usesSqlite(stateDir)) {
    warnings.push(`this install keeps sessions or ACP state in SQLite (OpenClaw 2026.6.1+), which ${process.execPath} (Node.js ${process.versions.node}, the Node these units run) cannot read: each scheduled run would fail or leave its ACP sessions unknown; run schedule with Node.js 22.13 or later`);
  }
  const owner = rootRunOwner(stateDir);
  const unreadable = owner && ownCodeUnreadableBy(owner.uid, owner.gid);
  if (owner && unreadable) {
    warnings.push(`each scheduled run acts as ${owner.name ? `${owner.name} (uid ${owner.uid})` : `uid ${owner.uid}`}, the owner of ${stateDir}, who cannot read this tool's own files (${unreadable}): every run would be refused (exit 4); install it where every user can read it (npm install -g with a system Node, or under /opt)`);
  }
  return warnings;
}

/** The user a root run on this state dir acts as (system/privileges.ts), when not root; null otherwise. */
function rootRunOwner(stateDir: string): Owner | null {
  if (process.geteuid?.() !== 0) return null;
  const owner = ownerOf(stateDir);
  return owner && owner.uid !== 0 ? owner : null;
}

/**
 * Does the install keep state in SQLite (`state/openclaw.sqlite`, 6.1+; an agent's
 * `agent/openclaw-agent.sqlite`, 8.1+)? The units run the Node that ran `schedule`
 * (process.execPath); observed: on Node 20 against a real 2026.9.6 install, schedule wrote
 * units whose every prune would exit 1 (no node:sqlite), and said nothing.
 */
function usesSqlite(stateDir: string): boolean {
  if (existsSync(acpStateDbPath(stateDir))) return true;
  return discoverAgentsOnDisk(stateDir).some((agentId) => existsSync(sqliteStorePathFor(stateDir, agentId)));
}

/** The one-line reason the config cannot be read as the runs will read it, or null. */
function configProblem(configPath: string | null, env: Readonly<Record<string, string | undefined>>): string | null {
  try {
    loadConfig(configPath, env);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

function isDirectory(dir: string): boolean {
  try {
    return statSync(dir).isDirectory();
  } catch {
    return false;
  }
}
