import { readFileSync } from 'node:fs';

/**
 * JSON a test reads (a verb's -json output, a manifest or info.json on disk) as the shape the
 * test expects of it: JSON.parse's `any` would switch off type checking of every use, while
 * the test's assertions are what check the shape.
 */
export function parseJson<T>(text: string): T {
  return JSON.parse(text) as T;
}

/** parseJson of a file's text. */
export function readJson<T>(file: string): T {
  return parseJson<T>(readFileSync(file, 'utf8'));
}
