/**
 * Reads the OpenClaw config (JSON5, `$include`, `${VAR}`) and keeps only the facts this tool
 * acts on. The raw document is never written back, so unknown keys need no care here.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import JSON5 from 'json5';
import { z } from 'zod';
import { ToolError } from '../errors.js';
import type { Env } from '../env.js';

const agentListEntry = z.object({ id: z.string().optional(), default: z.boolean().optional() });

/** The subset of openclaw.json that matters here; everything else is ignored, not rejected. */
export const configFactsSchema = z.object({
  acp: z
    .object({
      enabled: z.boolean().optional(),
      maxConcurrentSessions: z.number().int().positive().optional(),
      runtime: z.object({ ttlMinutes: z.number().nonnegative().optional() }).optional(),
    })
    .optional(),
  gateway: z
    .object({
      port: z.number().int().positive().optional(),
      tls: z.unknown().optional(),
      auth: z
        .object({
          mode: z.string().optional(),
          token: z.string().optional(),
          password: z.string().optional(),
        })
        .optional(),
    })
    .optional(),
  commands: z.object({ restart: z.boolean().optional() }).optional(),
  session: z.object({ store: z.string().optional() }).optional(),
  agents: z.object({ list: z.array(agentListEntry).optional() }).optional(),
});

export type ConfigFacts = z.infer<typeof configFactsSchema>;

export interface LoadedConfig {
  path: string | null;
  facts: ConfigFacts;
  /** `${VAR}` references with no value in the environment; kept literally. */
  missingVars: string[];
}

const MAX_INCLUDE_DEPTH = 10;

export function loadConfig(configPath: string | null, env: Env): LoadedConfig {
  if (!configPath) return { path: null, facts: {}, missingVars: [] };
  const missingVars = new Set<string>();
  const document = substituteVars(readDocument(configPath, 0, []), env, missingVars);
  const parsed = configFactsSchema.safeParse(document);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? issue.path.join('.') : '?';
    throw new ToolError('failed', `config ${configPath}: ${where}: ${issue?.message ?? 'invalid'}`);
  }
  return { path: configPath, facts: parsed.data, missingVars: [...missingVars] };
}

function readDocument(file: string, depth: number, chain: string[]): unknown {
  if (depth > MAX_INCLUDE_DEPTH || chain.includes(file)) {
    throw new ToolError('failed', `config ${file}: $include cycle or nesting deeper than ${MAX_INCLUDE_DEPTH}`);
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
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

/** `${NAME}` takes the environment's value; `$${NAME}` is an escaped literal `${NAME}`. */
function substituteVars(value: unknown, env: Env, missing: Set<string>): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$?\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (match, name: string) => {
      if (match.startsWith('$$')) return match.slice(1);
      const replacement = env[name];
      if (replacement === undefined) {
        missing.add(name);
        return match;
      }
      return replacement;
    });
  }
  if (Array.isArray(value)) return value.map((item) => substituteVars(item, env, missing));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(value)) out[key] = substituteVars(child, env, missing);
    return out;
  }
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
