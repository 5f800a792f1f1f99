/**
 * A store's disk use, for `list` (footer and `--json`) and `doctor` (warnings with the fix).
 * Pure: built from a scan and its plan.
 */
import type { Finding } from '../doctor/findings.js';
import type { StoreCleanPlan } from './plan.js';
import type { DiskSummary } from '../report/parts.js';

export type { DiskSummary };


const sum = (files: ReadonlyArray<{ bytes: number }>): number => files.reduce((total, file) => total + file.bytes, 0);

export function summarizeDisk(plan: StoreCleanPlan): DiskSummary {
  const { scan, actions } = plan;
  const expired = actions.filter((a) => a.type === 'remove-tombstone').map((a) => a.file);
  const oldest = scan.tombstones.reduce<number | null>((min, t) => (min === null || t.archivedAtMs < min ? t.archivedAtMs : min), null);
  return {
    tombstones: { count: scan.tombstones.length, bytes: sum(scan.tombstones), oldestArchivedAt: oldest === null ? null : new Date(oldest).toISOString(), expired: expired.length, expiredBytes: sum(expired) },
    backups: { count: scan.backups.length, bytes: sum(scan.backups) },
    orphanTranscripts: { count: scan.orphans.length, bytes: sum(scan.orphans), archivable: actions.filter((a) => a.type === 'archive-orphan').length },
    missingTranscripts: scan.missingTranscripts.length,
    tempFiles: { count: scan.temps.length, bytes: sum(scan.temps), stale: actions.filter((a) => a.type === 'remove-temp').length },
    journalBytes: scan.journalBytes,
  };
}

/** A journal larger than this is worth a word (its retention should keep it far smaller). */
export const JOURNAL_WARN_BYTES = 10 * 1024 * 1024;

/** `12.3 MB`, `512 B`: decimal units, as `du -h --si` and most dashboards print them. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** One line for the list footer; null when there is nothing to clean. */
export function describeDisk(summary: DiskSummary): string | null {
  const parts: string[] = [];
  if (summary.tombstones.expired) parts.push(`${summary.tombstones.expired} expired archive${summary.tombstones.expired === 1 ? '' : 's'} (${formatBytes(summary.tombstones.expiredBytes)})`);
  if (summary.orphanTranscripts.archivable) parts.push(`${summary.orphanTranscripts.archivable} orphan transcript${summary.orphanTranscripts.archivable === 1 ? '' : 's'} (${formatBytes(summary.orphanTranscripts.bytes)})`);
  if (summary.tempFiles.stale) parts.push(`${summary.tempFiles.stale} leftover temp file${summary.tempFiles.stale === 1 ? '' : 's'} (${formatBytes(summary.tempFiles.bytes)})`);
  return parts.length ? parts.join(', ') : null;
}

/**
 * doctor's disk warnings for one store, each with the command that fixes it. `cleanCommand` is
 * the pasteable `openclaw-sessions clean …` carrying the selection flags in use.
 */
export function diskFindings(storePath: string, summary: DiskSummary, cleanCommand: string): Finding[] {
  const findings: Finding[] = [];
  const what = describeDisk(summary);
  if (what) findings.push({ id: 'disk-reclaimable', severity: 'warning', message: `${storePath}: ${what}`, fix: cleanCommand });
  if (summary.missingTranscripts) {
    findings.push({ id: 'transcripts-missing', severity: 'ok', message: `${storePath}: ${summary.missingTranscripts} entr${summary.missingTranscripts === 1 ? 'y has' : 'ies have'} no transcript file (none was written yet — OpenClaw writes none for an ACP session whose turns all failed — or it was removed; the session${summary.missingTranscripts === 1 ? '' : 's'} still work${summary.missingTranscripts === 1 ? 's' : ''})`, fix: null });
  }
  if (summary.journalBytes > JOURNAL_WARN_BYTES) {
    findings.push({ id: 'journal-large', severity: 'warning', message: `${storePath}: the openclaw-sessions journal is ${formatBytes(summary.journalBytes)}`, fix: `${cleanCommand.replace(/ clean\b/, ' prune')} (retention trims it at the next run)` });
  }
  return findings;
}
