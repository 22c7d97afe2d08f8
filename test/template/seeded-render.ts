import { renderTemplate } from '../../src/template/engine.js';

/** The clock of these renderings, and SOURCE_DATE_EPOCH at the same instant. */
export const NOW = new Date(Date.UTC(2024, 0, 2, 3, 4, 5));
export const SEEDED = { SOURCE_DATE_EPOCH: '1704164645' };

/** Renders with SOURCE_DATE_EPOCH and JETPACK_TEMPLATE_SEED as env says (unset when absent), then restores them. */
export function render(template: string, env: Record<string, string | undefined> = {}, name = 't.tpl'): string {
  const saved: Record<string, string | undefined> = {};
  for (const key of ['SOURCE_DATE_EPOCH', 'JETPACK_TEMPLATE_SEED']) {
    saved[key] = process.env[key];
    if (env[key] === undefined) delete process.env[key];
    else process.env[key] = env[key];
  }
  try {
    return renderTemplate(template, { name, values: {}, now: () => NOW });
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}
