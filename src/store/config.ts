/**
 * Reads the OpenClaw config (JSON5, `$include`, `${VAR}`) and keeps only the facts this tool
 * acts on. The raw document is never written back, so unknown keys need no care here.
 */
import path from 'node:path';
import JSON5 from 'json5';
import { issueText, lazySchema, z } from './validate.js';
import { ToolError } from '../errors.js';
import type { Env } from '../env.js';
import { READ_CAPS, readRegularFile } from './safe-fs.js';

/** The subset of openclaw.json that matters here; everything else is ignored, not rejected. */
const buildConfigFactsSchema = () => z.object({
  acp: z.optional(
    z.object({
      enabled: z.optional(z.boolean()),
      maxConcurrentSessions: z.optional(z.int().check(z.positive())),
      runtime: z.optional(z.object({ ttlMinutes: z.optional(z.number().check(z.nonnegative())) })),
    }),
  ),
  gateway: z.optional(
    z.object({
      // A TCP port: 99999 here reached net.connect and ended the run as an "unexpected error".
      port: z.optional(z.int().check(z.positive(), z.lte(65535))),
      tls: z.optional(z.unknown()),
      /** "remote": this install talks to a gateway elsewhere, at gateway.remote.url. */
      mode: z.optional(z.string()),
      // token/password may be SecretRef objects in OpenClaw; only plain strings are used here.
      remote: z.optional(z.object({ url: z.optional(z.unknown()), token: z.optional(z.unknown()), password: z.optional(z.unknown()) })),
      auth: z.optional(
        z.object({
          mode: z.optional(z.string()),
          token: z.optional(z.string()),
          password: z.optional(z.string()),
        }),
      ),
    }),
  ),
  commands: z.optional(z.object({ restart: z.optional(z.boolean()) })),
  session: z.optional(z.object({ store: z.optional(z.string()) })),
  agents: z.optional(z.object({ list: z.optional(z.array(z.object({ id: z.optional(z.string()), default: z.optional(z.boolean()) }))) })),
});
const configFactsSchema = lazySchema(buildConfigFactsSchema);

export type ConfigFacts = z.infer<ReturnType<typeof buildConfigFactsSchema>>;

export interface LoadedConfig {
  path: string | null;
  facts: ConfigFacts;
  /**
   * `${VAR}` references with no value (unset or empty) in the environment; kept literally, as
   * OpenClaw 2026.4.2 does (it logs a warning and leaves `${VAR}` in the value).
   */
  missingVars: Array<{ name: string; at: string }>;
}

/** OpenClaw's warning for a missing variable, word for word (dist/io-*.js, loadConfig). */
export function missingVarWarning(configPath: string, missing: { name: string; at: string }): string {
  return `Config (${configPath}): missing env var "${missing.name}" at ${missing.at} - feature using this value will be unavailable`;
}

const MAX_INCLUDE_DEPTH = 10;

/**
 * The environment `${VAR}` references resolve from when a root run acts as another user
 * (system/privileges.ts): that user's config names the variables, the process still holds root's
 * environment, and a reference such as `token: "${ROOT_SECRET}"` under `gateway.remote` would
 * send root's value to a URL of that user's choosing. Only this tool's own inputs (`OPENCLAW_*`,
 * which it reads directly anyway) are kept; the config's `env` block still fills the rest, and
 * anything else stays literal with OpenClaw's missing-variable warning. Root's gateway secrets
 * (`OPENCLAW_GATEWAY_TOKEN`/`_PASSWORD`) are not kept either: `${OPENCLAW_GATEWAY_TOKEN}` in a
 * `gateway.remote.token`, or in the URL itself, would carry them past the rule that withholds
 * them from a URL the owner chose (gateway/root-secrets.ts).
 */
export function substitutionEnvForOwner(env: Env): Env {
  return Object.fromEntries(Object.entries(env).filter(([name]) => name.startsWith('OPENCLAW_') && !ROOT_GATEWAY_SECRETS.has(name)));
}

const ROOT_GATEWAY_SECRETS = new Set(['OPENCLAW_GATEWAY_TOKEN', 'OPENCLAW_GATEWAY_PASSWORD']);

export function loadConfig(configPath: string | null, env: Env): LoadedConfig {
  if (!configPath) return { path: null, facts: {}, missingVars: [] };
  const missingVars: Array<{ name: string; at: string }> = [];
  const raw = readDocument(configPath, 0, []);
  const document = substituteVars(raw, withConfigEnv(raw, env), '', missingVars);
  const parsed = configFactsSchema().safeParse(document);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'the whole file';
    throw new ToolError('failed', `config ${configPath}: ${where}: ${issueText(issue)}`);
  }
  return { path: configPath, facts: parsed.data, missingVars };
}

function readDocument(file: string, depth: number, chain: string[]): unknown {
  if (depth > MAX_INCLUDE_DEPTH || chain.includes(file)) {
    throw new ToolError('failed', `config ${file}: $include cycle or nesting deeper than ${MAX_INCLUDE_DEPTH}`);
  }
  let text: string;
  try {
    // The operator's own file may be a link (dotfile managers); a FIFO, device or huge file is
    // refused before any blocking read (issue 16 finding 8: `$include: "/dev/zero"`).
    text = readRegularFile(file, { maxBytes: READ_CAPS.config, what: 'config', follow: true }).bytes.toString('utf8');
  } catch (error) {
    if (error instanceof ToolError) throw error;
    throw new ToolError('failed', `cannot read config ${file}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON5.parse(text);
  } catch (error) {
    const e = error as { lineNumber?: number; columnNumber?: number; message: string };
    const where = e.lineNumber ? `:${e.lineNumber}:${e.columnNumber ?? 0}` : '';
    throw new ToolError('failed', `config ${file}${where} is not valid JSON5: ${e.message.replace(/^JSON5: /, '')}`);
  }
  return resolveIncludes(value, path.dirname(file), depth, [...chain, file]);
}

/** `$include: "x.json5" | [...]` merges the included documents under the sibling keys. */
function resolveIncludes(value: unknown, baseDir: string, depth: number, chain: string[]): unknown {
  if (Array.isArray(value)) return value.map((item) => resolveIncludes(item, baseDir, depth, chain));
  if (!isPlainObject(value)) return value;
  let merged: Record<string, unknown> = {};
  const include = value.$include;
  if (include !== undefined) {
    const files = Array.isArray(include) ? include : [include];
    for (const entry of files) {
      if (typeof entry !== 'string') throw new ToolError('failed', `config ${chain.at(-1)}: $include must be a path or a list of paths`);
      merged = deepMerge(merged, readDocument(path.resolve(baseDir, entry), depth + 1, chain));
    }
  }
  const own: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (key !== '$include') own[key] = resolveIncludes(child, baseDir, depth, chain);
  }
  return deepMerge(merged, own);
}

function deepMerge(base: unknown, over: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = isPlainObject(base) ? { ...base } : {};
  if (!isPlainObject(over)) return out;
  for (const [key, value] of Object.entries(over)) {
    out[key] = isPlainObject(out[key]) && isPlainObject(value) ? deepMerge(out[key], value) : value;
  }
  return out;
}

/**
 * The config's own `env` block fills variables the environment leaves unset or blank (OpenClaw
 * 2026.4.2 `applyConfigEnvVars`): `env.vars.NAME` and `env.NAME` string values, except
 * `shellEnv`, and except values that themselves contain a `${…}` reference.
 */
function withConfigEnv(document: unknown, env: Env): Env {
  const block = isPlainObject(document) ? document.env : undefined;
  if (!isPlainObject(block)) return env;
  const entries: Record<string, string> = {};
  if (isPlainObject(block.vars)) for (const [key, value] of Object.entries(block.vars)) if (typeof value === 'string' && value) entries[key] = value;
  for (const [key, value] of Object.entries(block)) if (key !== 'shellEnv' && key !== 'vars' && typeof value === 'string' && value.trim()) entries[key] = value;
  const out: Record<string, string | undefined> = { ...env };
  for (const [key, value] of Object.entries(entries)) {
    if (out[key]?.trim() || /\$\{[A-Z_][A-Z0-9_]*\}/.test(value)) continue;
    out[key] = value;
  }
  return out;
}

/**
 * `${NAME}` takes the environment's value; `$${NAME}` is an escaped literal `${NAME}`. As in
 * OpenClaw 2026.4.2 (`dist/env-substitution-*.js`): only upper-case names `[A-Z_][A-Z0-9_]*`
 * are references; a variable that is unset **or empty** is missing — the reference stays in the
 * value literally and is reported (OpenClaw logs a warning; it does not fail).
 */
function substituteVars(value: unknown, env: Env, at: string, missing: Array<{ name: string; at: string }>): unknown {
  if (typeof value === 'string') {
    if (!value.includes('$')) return value;
    return value.replace(/\$?\$\{([A-Z_][A-Z0-9_]*)\}/g, (match, name: string) => {
      if (match.startsWith('$$')) return match.slice(1);
      const replacement = env[name];
      if (replacement === undefined || replacement === '') {
        missing.push({ name, at });
        return match;
      }
      return replacement;
    });
  }
  if (Array.isArray(value)) return value.map((item, index) => substituteVars(item, env, `${at}[${index}]`, missing));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) out[key] = substituteVars(child, env, at ? `${at}.${key}` : key, missing);
    return out;
  }
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
