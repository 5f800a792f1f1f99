/**
 * `--log-format json`: one JSON object per line per event, for journald and log collectors.
 * Every line carries the time, the event name and the run id; the shapes are documented in
 * the README ("Run it from cron").
 */
import type { CliIo } from './io.js';

export type LogFormat = 'text' | 'json';

export interface EventLog {
  readonly enabled: boolean;
  emit(event: string, fields?: Record<string, unknown>): void;
}

export function parseLogFormat(value: string | undefined): LogFormat | null {
  if (value === undefined || value === 'text') return 'text';
  if (value === 'json') return 'json';
  return null;
}

export function createEventLog(io: CliIo, format: LogFormat, runId: string): EventLog {
  if (format !== 'json') return { enabled: false, emit: () => undefined };
  return {
    enabled: true,
    emit: (event, fields = {}) => io.stdout.write(`${JSON.stringify({ ts: new Date().toISOString(), event, runId, ...fields })}\n`),
  };
}
