// src/job/: YAML stage jobs (mark-devkit metro): specs, sources, hooks, isolation, runs.
import { stringify } from 'yaml';
import { toJsonText, toYamlValue } from '../template/values.js';
import type { GoValue } from '../template/format.js';
import type { RenderedJob } from './spec.js';

/** The document `diagnose job` prints: the rendered job and its hook files' rendered hooks. */
export function jobDocument(rendered: RenderedJob, format: 'yaml' | 'json'): string {
  const { job } = rendered;
  const source = Object.fromEntries(Object.entries(job.source).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0)));
  const doc = {
    job: { ...job, source },
    hooks: rendered.hooks.map((f) => ({ file: f.file, hooks: f.hooks })),
  } as unknown as GoValue;
  if (format === 'json') return `${toJsonText(doc, true, false)}\n`;
  return stringify(toYamlValue(doc), { indent: 4, lineWidth: 0 });
}
