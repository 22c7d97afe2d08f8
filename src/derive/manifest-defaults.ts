import { UserError } from '../errors.js';
import { BLANK_AC_VERSION, validateImageManifest, type ImageManifest, type Label } from '../image/manifest.js';
import type { StoredImage } from '../store/store.js';

/** RFC 3339 in UTC to the second: `epoch` (SOURCE_DATE_EPOCH) when set, so rebuilds can be reproducible. */
export function buildTimestamp(epoch: number | undefined, now = new Date()): string {
  if (epoch !== undefined) now = new Date(epoch * 1000);
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Jetpack's step 5: the build's manifest.json merged with defaults. acKind and acVersion
 * are filled in; a `timestamp` annotation is added when missing; `os` and `arch` labels are
 * copied from the parent when missing and removed when set to ""; the parent is put first in
 * `dependencies`. The result is validated like any imported manifest.
 */
export function mergeBuildManifest(raw: unknown, parent: StoredImage, timestamp: string): ImageManifest {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new UserError('manifest.json must hold a JSON object');
  const m = { acKind: 'ImageManifest', acVersion: BLANK_AC_VERSION, ...(raw as Record<string, unknown>) } as Record<string, unknown>;

  const annotations = Array.isArray(m.annotations) ? [...(m.annotations as Array<{ name: unknown }>)] : m.annotations;
  if (Array.isArray(annotations) && !(annotations as Array<{ name: unknown } | null>).some((a) => a?.name === 'timestamp'))
    annotations.push({ name: 'timestamp', value: timestamp });
  m.annotations = annotations ?? [{ name: 'timestamp', value: timestamp }];

  if (m.labels === undefined || Array.isArray(m.labels)) {
    let labels = [...((m.labels as Label[] | undefined) ?? [])];
    for (const name of ['os', 'arch']) {
      const own = labels.find((l) => l?.name === name);
      const inherited = parent.manifest.labels?.find((l) => l.name === name);
      if (own?.value === '') labels = labels.filter((l) => l !== own);
      else if (!own && inherited) labels.push({ ...inherited });
    }
    m.labels = labels.length ? labels : undefined;
    if (m.labels === undefined) delete m.labels;
  }

  const parentDependency = {
    imageName: parent.manifest.name,
    imageID: parent.id,
    ...(parent.manifest.labels?.length ? { labels: parent.manifest.labels } : {}),
  };
  m.dependencies = Array.isArray(m.dependencies)
    ? [parentDependency, ...(m.dependencies as unknown[])]
    : m.dependencies === undefined
      ? [parentDependency]
      : m.dependencies;
  return validateImageManifest(m);
}
