import { UserError } from '../errors.js';

/**
 * A runtime's optional `/manifest.toml` (MaPS): `[Core] command` is what `run` starts,
 * `[Meta]` is free-form (URL, Type, Title, …).
 */
export interface RuntimeManifest {
  command?: string;
  meta: Record<string, string>;
}

export const MANIFEST_FILE = 'manifest.toml';

function scalarText(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object' && value !== null) return JSON.stringify(value);
  return String(value);
}

/** Parses a manifest.toml's text; `where` names it in errors. */
export async function parseRuntimeManifest(text: string, where: string): Promise<RuntimeManifest> {
  const { parse } = await import('smol-toml');
  let doc: Record<string, unknown>;
  try {
    doc = parse(text);
  } catch (err) {
    throw new UserError(`${where}: not valid TOML: ${(err as Error).message.split('\n')[0]}`, 1, { cause: err });
  }
  const core = (doc.Core ?? {}) as Record<string, unknown>;
  if (core.command !== undefined && typeof core.command !== 'string') throw new UserError(`${where}: [Core] command must be a string`);
  const meta = Object.fromEntries(Object.entries((doc.Meta ?? {}) as Record<string, unknown>).map(([k, v]) => [k, scalarText(v)]));
  return { command: core.command, meta };
}
