/**
 * What must be undone when a run is interrupted: the gateway's store lock and this tool's run
 * locks released, this run's temp files removed. SIGINT and SIGTERM run every registered
 * cleanup (synchronously, in reverse order), print one line and exit 130 / 143 — the shell's
 * convention for "killed by signal N". A SIGKILL cannot be caught: the next run removes what a
 * killed run left (stale temp files by name, run locks by their dead owner).
 */
/** Given the signal being handled; undefined when called outside a signal (tests). */
type Cleanup = (signal?: NodeJS.Signals) => void;

const cleanups = new Map<number, Cleanup>();
let nextId = 1;
let installed = false;
const writeLine = (text: string): void => {
  try {
    process.stderr.write(text);
  } catch {
    // stderr gone: nothing left to tell
  }
};

let note: (() => string) | null = null;

/**
 * What the interrupt line says about the sessions in place of "the store holds either its old or
 * its new content" (true of a file edit, not of deletes sent to a gateway one by one); the
 * returned function takes it back.
 */
export function setInterruptNote(describe: () => string): () => void {
  note = describe;
  return () => {
    if (note === describe) note = null;
  };
}

/** Registers a cleanup; the returned function unregisters it (call it once the work is done). */
export function onInterrupt(cleanup: Cleanup): () => void {
  installSignalHandlers();
  const id = nextId++;
  cleanups.set(id, cleanup);
  return () => {
    cleanups.delete(id);
  };
}

/** Runs every registered cleanup now (never throws). Exported for the signal path and tests. */
export function runCleanups(signal?: NodeJS.Signals): void {
  for (const id of [...cleanups.keys()].reverse()) {
    const cleanup = cleanups.get(id);
    cleanups.delete(id);
    try {
      cleanup?.(signal);
    } catch {
      // one failing cleanup must not keep the others from running
    }
  }
}

function installSignalHandlers(): void {
  if (installed) return;
  installed = true;
  const handler = (signal: NodeJS.Signals): void => {
    const pending = cleanups.size;
    let state = 'the store holds either its old or its new content';
    try {
      if (note) state = note();
    } catch {
      // the default line stands
    }
    runCleanups(signal);
    writeLine(`openclaw-sessions: interrupted by ${signal}${pending > 0 ? '; locks released and temp files removed' : ''}; ${state}\n`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
