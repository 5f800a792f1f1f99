/**
 * Quoting for the commands the tool prints for an operator to paste (fixes, undo, advice). Its own
 * module: the store, system and doctor layers print commands too, and must not reach into the CLI.
 */

/** POSIX sh quoting: bare when only safe characters, else single quotes (a `'` as `'\''`). */
export function shellQuote(arg: string): string {
  if (arg !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}
