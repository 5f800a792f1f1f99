/**
 * `openclaw-sessions doctor`: why do spawns fail? One screen of findings, each with the command
 * that fixes it. Exit 0 when healthy (warnings allowed), 6 when problems were found.
 */
import { EXIT } from '../exit-codes.js';
import { collectFindings } from '../../doctor/collect.js';
import { worstSeverity } from '../../doctor/findings.js';
import { probeGateway } from '../../gateway/probe.js';
import { takeInventory } from '../../inventory.js';
import { inventoryOptionsFrom, type StoreFlags } from '../common-options.js';
import type { CliIo } from '../io.js';
import { decideStyle } from '../terminal.js';

export interface DoctorFlags extends StoreFlags {
  rpc: boolean;
}

export async function runDoctor(flags: DoctorFlags, io: CliIo): Promise<number> {
  const inventory = takeInventory(io.env, inventoryOptionsFrom(flags, io));
  const gateway = await probeGateway(inventory.location, inventory.config, io.env, { rpc: flags.rpc });
  const target = [
    flags.profile ? ` --profile ${flags.profile}` : '',
    flags.stateDir ? ` --state-dir ${flags.stateDir}` : '',
    flags.config ? ` --config ${flags.config}` : '',
    flags.store ? ` --store ${flags.store}` : '',
  ].join('');
  const findings = collectFindings(inventory, gateway, target);
  const verdict = worstSeverity(findings);
  const exitCode = verdict === 'problem' ? EXIT.problemsFound : EXIT.ok;
  if (flags.json) {
    io.stdout.write(`${JSON.stringify({ healthy: verdict !== 'problem', verdict, findings }, null, 2)}\n`);
    return exitCode;
  }
  const { chalk, color } = decideStyle({ isTTY: Boolean(io.stdout.isTTY), columns: io.stdout.columns, env: io.env, colorFlag: flags.color });
  const mark = { ok: color ? chalk.green('ok     ') : 'ok     ', warning: color ? chalk.yellow('warning') : 'warning', problem: color ? chalk.red('PROBLEM') : 'PROBLEM' };
  const lines = findings.map((f) => `${mark[f.severity]}  ${f.message}${f.fix ? `\n         fix: ${f.fix}` : ''}`);
  const problems = findings.filter((f) => f.severity === 'problem').length;
  lines.push('', problems === 0 ? 'No problems found.' : `${problems} problem${problems === 1 ? '' : 's'} found (exit ${EXIT.problemsFound}).`);
  io.stdout.write(`${lines.join('\n')}\n`);
  return exitCode;
}
