import { inspect } from 'node:util';
import { isUserFacing, UserError } from '../errors.js';

/** What a failure tells the user: one line, the exit status, and for builds the step. */
export interface Failure {
  message: string;
  status: number;
  step?: number;
  /** A bug rather than the environment's answer: exit 70. */
  internal: boolean;
}

export function describeFailure(err: unknown): Failure {
  const step = (err as { step?: unknown } | undefined)?.step;
  const withStep = typeof step === 'number' ? { step } : {};
  if (err instanceof UserError) return { message: err.message, status: err.exitCode, ...withStep, internal: false };
  if ((err as NodeJS.ErrnoException | undefined)?.code === 'ENOSPC')
    return { message: 'no space left on device; nothing was stored', status: 1, internal: false };
  if (isUserFacing(err)) return { message: err.message, status: 1, internal: false };
  return { message: `internal error: ${err instanceof Error ? err.message : String(err)}`, status: 70, internal: true };
}

/** The error's stack and, after it, each cause's: what -debug shows. */
export function causeChain(err: unknown): string {
  const lines: string[] = [];
  const seen = new Set<unknown>();
  for (let e: unknown = err; e !== undefined && !seen.has(e); e = (e as Error).cause) {
    const text = e instanceof Error ? (e.stack ?? e.message) : inspect(e);
    lines.push(seen.size === 0 ? text : `caused by: ${text}`);
    seen.add(e);
  }
  return lines.join('\n');
}

/**
 * What a failure prints on stderr and the exit status: the one line; under -debug the cause
 * chain, else for a bug a hint to use -debug; under -json a last line with the same message,
 * status and step as JSON, for programs.
 */
export function failureReport(err: unknown, opts: { debug: boolean; json: boolean }): { text: string; status: number } {
  const { message, status, step, internal } = describeFailure(err);
  let text = `jetpack: ${message}\n`;
  if (opts.debug) text += `${causeChain(err)}\n`;
  else if (internal) text += 'jetpack: run with -debug for a stack trace\n';
  if (opts.json) text += `${JSON.stringify({ error: { message, status, ...(step === undefined ? {} : { step }) } })}\n`;
  return { text, status };
}
