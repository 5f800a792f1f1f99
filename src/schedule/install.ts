/**
 * Writing and removing the scheduled run: systemd --user units under
 * `$XDG_CONFIG_HOME/systemd/user`, or a managed block in the user's crontab (through the
 * `crontab` command). A file or block changed by hand is not overwritten without --force.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ToolError } from '../errors.js';
import { writeFileAtomic } from '../store/atomic-write.js';
import type { Env } from '../env.js';
import { CLEAN_UNIT_NAME, METRICS_UNIT_NAME, UNIT_NAME, currentCronBlock, withCronBlock } from './units.js';

export function systemdUserDir(env: Env, home: string): string {
  return path.join(env.XDG_CONFIG_HOME?.trim() || path.join(home, '.config'), 'systemd', 'user');
}

export interface InstallOutcome {
  written: string[];
  unchanged: string[];
  /** What the operator still has to run (e.g. systemctl was not reachable). */
  followUp: string[];
}

export interface UnitFile {
  name: string;
  content: string;
}

/** Writes the unit files and enables the timers among them (`*.timer`). */
export async function installSystemd(dir: string, units: readonly UnitFile[], options: { force: boolean; enable: boolean; env: Env }): Promise<InstallOutcome> {
  const files: Array<[string, string]> = units.map((unit) => [path.join(dir, unit.name), unit.content]);
  const timers = units.filter((unit) => unit.name.endsWith('.timer')).map((unit) => unit.name);
  const outcome: InstallOutcome = { written: [], unchanged: [], followUp: [] };
  for (const [file, content] of files) {
    if (existsSync(file)) {
      const current = readFileSync(file, 'utf8');
      if (current === content) {
        outcome.unchanged.push(file);
        continue;
      }
      if (!options.force) throw new ToolError('unsafe', `${file} exists and differs from what would be written (changed by hand, or other options); rerun with --force to replace it`);
    }
  }
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  for (const [file, content] of files) {
    if (outcome.unchanged.includes(file)) continue;
    await writeFileAtomic(file, content, { mode: 0o644 });
    outcome.written.push(file);
  }
  if (options.enable && systemctl(['--user', 'daemon-reload'], options.env)) {
    for (const timer of timers) if (!systemctl(['--user', 'enable', '--now', timer], options.env)) outcome.followUp.push(`systemctl --user enable --now ${timer}`);
  } else {
    outcome.followUp.push('systemctl --user daemon-reload', ...timers.map((timer) => `systemctl --user enable --now ${timer}`));
  }
  return outcome;
}

/** Removes the prune, metrics and clean units, whichever are installed. */
export function uninstallSystemd(dir: string, env: Env): string[] {
  const removed: string[] = [];
  for (const unit of [UNIT_NAME, METRICS_UNIT_NAME, CLEAN_UNIT_NAME]) {
    const timer = path.join(dir, `${unit}.timer`);
    if (existsSync(timer)) systemctl(['--user', 'disable', '--now', `${unit}.timer`], env);
    for (const file of [timer, path.join(dir, `${unit}.service`)]) {
      if (existsSync(file)) {
        rmSync(file);
        removed.push(file);
      }
    }
  }
  if (removed.length > 0) systemctl(['--user', 'daemon-reload'], env);
  return removed;
}

function systemctl(args: string[], env: Env): boolean {
  const result = spawnSync('systemctl', args, { env: env as NodeJS.ProcessEnv, stdio: 'ignore', timeout: 15_000 });
  return result.status === 0;
}

function readCrontab(env: Env): string {
  const result = spawnSync('crontab', ['-l'], { env: env as NodeJS.ProcessEnv, encoding: 'utf8', timeout: 15_000 });
  if (result.error) throw new ToolError('failed', `cannot run crontab (${(result.error as NodeJS.ErrnoException).code ?? result.error.message}): install cron, or use --install systemd`);
  // `crontab -l` exits 1 with "no crontab for <user>" when there is none yet.
  if (result.status !== 0) return /no crontab/i.test(result.stderr) ? '' : failCrontab(result.stderr);
  return result.stdout;
}

function failCrontab(stderr: string): never {
  throw new ToolError('failed', `crontab -l failed: ${stderr.trim().split('\n')[0] ?? 'unknown error'}`);
}

function writeCrontab(content: string, env: Env): void {
  const result = spawnSync('crontab', ['-'], { env: env as NodeJS.ProcessEnv, input: content, encoding: 'utf8', timeout: 15_000 });
  if (result.status !== 0) throw new ToolError('failed', `crontab - failed: ${(result.stderr || String(result.error ?? '')).trim().split('\n')[0]}`);
}

export function installCron(block: string, options: { force: boolean; env: Env }): 'written' | 'unchanged' {
  const crontab = readCrontab(options.env);
  const current = currentCronBlock(crontab);
  if (current === block) return 'unchanged';
  if (current !== null && !options.force) throw new ToolError('unsafe', 'the crontab already has an openclaw-sessions block that differs (changed by hand, or other options); rerun with --force to replace it');
  writeCrontab(withCronBlock(crontab, block), options.env);
  return 'written';
}

export function uninstallCron(env: Env): boolean {
  let crontab: string;
  try {
    crontab = readCrontab(env);
  } catch {
    return false; // no crontab command: nothing of ours can be installed there
  }
  if (currentCronBlock(crontab) === null) return false;
  writeCrontab(withCronBlock(crontab, null), env);
  return true;
}
