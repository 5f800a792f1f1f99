/**
 * `openclaw-sessions doctor`: why do spawns fail? One screen of findings, each with the command
 * that fixes it. Exit 0 when healthy (warnings allowed), 6 when problems were found.
 */
import { EXIT } from '../exit-codes.js';
import { collectFindings } from '../../doctor/collect.js';
import { worstSeverity, type Finding } from '../../doctor/findings.js';
import { probeGateway } from '../../gateway/probe.js';
import { takeInventory } from '../../inventory.js';
import { gatewaySlots } from '../../sessions/gateway-slots.js';
import type { DoctorReport } from '../../report/doctor-report.js';
import { DOCTOR_SCHEMA_VERSION } from '../../report/versions.js';
import { inventoryOptionsFrom, type StoreFlags } from '../common-options.js';
import { gatewayFlagsFrom, type GatewayTargetFlags } from '../gateway-options.js';
import { terminalProgress, type CliIo } from '../io.js';
import { decideStyle, type TerminalStyle } from '../terminal.js';
import { oneLine, wrapCommand, wrapProse } from '../text.js';
import { installCommands, printedSelection } from '../selection.js';

export interface DoctorFlags extends StoreFlags, GatewayTargetFlags {
  rpc: boolean;
}

export async function runDoctor(flags: DoctorFlags, io: CliIo): Promise<number> {
  const options = inventoryOptionsFrom(flags, io);
  const inventory = takeInventory(io.env, options);
  // No `warn`: a secret of root's withheld from the gateway is a finding here (doctor/withheld.ts), not a stderr line.
  const selection = printedSelection(flags, io.env, inventory.location);
  const gateway = await probeGateway(inventory.location, inventory.config, io.env, { rpc: flags.rpc, live: flags.rpc, progress: terminalProgress(io, flags), ...gatewayFlagsFrom(flags), commands: installCommands(selection) });
  const findings = collectFindings(inventory, gateway, selection, Date.now(), gatewaySlots(inventory, io.env, options));
  const verdict = worstSeverity(findings);
  const exitCode = verdict === 'problem' ? EXIT.problemsFound : EXIT.ok;
  if (flags.json) {
    const report: DoctorReport = { schemaVersion: DOCTOR_SCHEMA_VERSION, healthy: verdict !== 'problem', verdict, findings };
    io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return exitCode;
  }
  const style = await decideStyle({ isTTY: Boolean(io.stdout.isTTY), columns: io.stdout.columns, env: io.env, colorFlag: flags.color });
  io.stdout.write(`${renderFindings(findings, style)}\n`);
  // The findings are out; the live read's probe session is deleted now (probe-deletes.ts).
  if (flags.rpc) await (await import('../../gateway/probe-deletes.js')).probeDeletesSettled(terminalProgress(io, flags));
  return exitCode;
}

const INDENT = ' '.repeat(9);

/**
 * `ok       message` with the message wrapped at word boundaries under itself, and the fix on its
 * own line: a shell command wraps only between arguments, with ` \` so it still pastes.
 */
export function renderFindings(findings: readonly Finding[], style: TerminalStyle): string {
  const { paint } = style;
  const mark = { ok: paint.green('ok'), warning: paint.yellow('warning'), problem: paint.red('PROBLEM') };
  const pad = { ok: 7, warning: 7, problem: 7 };
  const lines: string[] = [];
  for (const f of findings) {
    const [first, ...rest] = wrapProse(f.message, style.width - INDENT.length);
    lines.push(`${mark[f.severity]}${' '.repeat(pad[f.severity] - f.severity.length + 2)}${first}`, ...rest.map((line) => `${INDENT}${line}`));
    if (f.fix) lines.push(...fixLines(f.fix, style.width));
  }
  const problems = findings.filter((f) => f.severity === 'problem').length;
  lines.push('', problems === 0 ? 'No problems found.' : `${problems} problem${problems === 1 ? '' : 's'} found (exit ${EXIT.problemsFound}).`);
  return lines.join('\n');
}

/** Shell words, a quoted argument (with `'\''` inside) kept as one. */
const SHELL_WORD = /(?:[^\s'\\]+|\\.|'[^']*')+/g;
const COMMAND = /^(?:[A-Z_]+=\S+ )*(?:openclaw-sessions|openclaw|rm|rmdir|chmod) /;

function fixLines(fix: string, width: number): string[] {
  const text = oneLine(fix);
  const lead = `${INDENT}fix: `;
  // Several commands (`a; b`) go one per line: each pastes on its own.
  if (COMMAND.test(text)) {
    return text.split('; ').flatMap((command, i) => {
      const words = command.match(SHELL_WORD) ?? [command];
      const wrapped = wrapCommand(words, width - lead.length);
      return wrapped.map((line, j) => `${i === 0 && j === 0 ? lead : ' '.repeat(lead.length)}${line}`);
    });
  }
  const [first, ...rest] = wrapProse(text, width - lead.length);
  return [`${lead}${first}`, ...rest.map((line) => `${' '.repeat(lead.length)}${line}`)];
}
