/**
 * The commands advice names (`openclaw gateway restart`, `openclaw-sessions prune --recompute
 * restart --allow-restart`, …), for the install the run acted on. Built by the CLI from the
 * printed selection (cli/selection.ts `installCommands`): under `OPENCLAW_STATE_DIR=/srv/x` or
 * `--profile work`, an unpinned `openclaw gateway restart` pasted into a login shell restarts
 * ~/.openclaw's gateway — another install's, dropping its chats' running turns. Pure modules
 * take one and fall back to UNPINNED_COMMANDS (tests, a caller with no selection).
 */
export interface InstallCommands {
  /** `openclaw <args…>` for this install, ready to paste (env prefix and `--profile` as needed). */
  openclaw(args: readonly string[]): string;
  /** `openclaw-sessions <args…>` with the run's selection flags after them. */
  tool(args: readonly string[]): string;
}

/** The commands as bare words: right for the default install, and for a caller that knows no other. */
export const UNPINNED_COMMANDS: InstallCommands = {
  openclaw: (args) => ['openclaw', ...args].join(' '),
  tool: (args) => ['openclaw-sessions', ...args].join(' '),
};
