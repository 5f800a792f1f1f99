/**
 * What `doctor` reports: findings with a severity and, for each, the exact command that fixes
 * it. Pure builders over data the I/O side collected, so each finding is unit-testable.
 */
export type Severity = 'problem' | 'warning' | 'ok';

export interface Finding {
  id: string;
  severity: Severity;
  message: string;
  /** The command (or edit) that fixes it; null when nothing needs doing. */
  fix: string | null;
}

export function worstSeverity(findings: readonly Finding[]): Severity {
  if (findings.some((f) => f.severity === 'problem')) return 'problem';
  if (findings.some((f) => f.severity === 'warning')) return 'warning';
  return 'ok';
}
