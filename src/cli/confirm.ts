/** A `[y/N]` question: only an explicit yes proceeds; anything else (or EOF) is a no. */
import type { CliIo } from './io.js';

export async function confirm(io: CliIo, question: string): Promise<boolean> {
  let answer: string;
  try {
    answer = await io.ask(question);
  } catch {
    return false;
  }
  return /^(y|yes)$/i.test(answer.trim());
}
