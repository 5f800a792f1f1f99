/**
 * State colours, shared by every table; the state is always written as text too. Only states that
 * call for a look are coloured; finished and closed are plain (never dim: dim text is unreadable
 * on many terminals).
 */
import type { Palette } from './terminal.js';
import type { SessionState } from '../sessions/classify.js';

export function paintState(paint: Palette, state: SessionState, text: string): string {
  switch (state) {
    case 'running':
      return paint.green(text);
    case 'idle':
      return paint.cyan(text);
    case 'errored':
      return paint.red(text);
    case 'stuck':
    case 'stale':
      return paint.yellow(text);
    case 'finished':
    case 'closed':
      return text;
    case 'unknown':
    case 'invalid':
      return paint.magenta(text);
  }
}
