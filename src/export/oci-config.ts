import { annotationValue, labelMap, type ImageManifest } from '../image/manifest.js';

/** appc arch label → OCI architecture (and variant), after the Go/OCI names. */
const ARCH: Record<string, { architecture: string; variant?: string }> = {
  amd64: { architecture: 'amd64' },
  i386: { architecture: '386' },
  aarch64: { architecture: 'arm64' },
  armv7l: { architecture: 'arm', variant: 'v7' },
  armv6l: { architecture: 'arm', variant: 'v6' },
  ppc64le: { architecture: 'ppc64le' },
  ppc64: { architecture: 'ppc64' },
  s390x: { architecture: 's390x' },
};

/** appc annotations with a standard OCI key (image-spec annotations.md). */
const STANDARD_ANNOTATIONS: Record<string, string> = {
  homepage: 'org.opencontainers.image.url',
  documentation: 'org.opencontainers.image.documentation',
  authors: 'org.opencontainers.image.authors',
  description: 'org.opencontainers.image.description',
  created: 'org.opencontainers.image.created',
};

export function ociPlatform(m: ImageManifest): { os: string; architecture: string; variant?: string } {
  const labels = labelMap(m);
  const arch = labels.arch ?? 'amd64';
  return { os: labels.os ?? 'linux', ...(ARCH[arch] ?? { architecture: arch }) };
}

/** The image's creation time: its `created`/`timestamp` annotation, else SOURCE_DATE_EPOCH, else none. */
export function createdOf(m: ImageManifest, epoch: number | undefined): string | undefined {
  const stamp = annotationValue(m, 'created') ?? annotationValue(m, 'timestamp');
  if (stamp) return stamp;
  return epoch === undefined ? undefined : new Date(epoch * 1000).toISOString().replace(/\.000Z$/, 'Z');
}

/** Labels for the config: appc labels but os/arch (the platform says those), and the standard version key. */
export function ociLabels(m: ImageManifest): Record<string, string> {
  const { os: _os, arch: _arch, ...labels } = labelMap(m);
  const out: Record<string, string> = { ...labels };
  if (labels.version !== undefined) out['org.opencontainers.image.version'] = labels.version;
  out['org.opencontainers.image.title'] = m.name;
  return out;
}

/** Annotations for the manifest: appc annotations, plus the standard key where one fits. */
export function ociAnnotations(m: ImageManifest, created: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of m.annotations ?? []) {
    out[a.name] = a.value;
    const standard = STANDARD_ANNOTATIONS[a.name];
    if (standard) out[standard] = a.value;
  }
  if (created) out['org.opencontainers.image.created'] = created;
  const version = labelMap(m).version;
  if (version !== undefined) out['org.opencontainers.image.version'] = version;
  out['org.opencontainers.image.title'] = m.name;
  return out;
}

/** The image config (image-spec config.md) of an appc manifest and its layers' diff IDs. */
export function ociConfig(m: ImageManifest, diffIDs: string[], created: string | undefined): object {
  const app = m.app;
  const config: Record<string, unknown> = {};
  if (app) {
    config.User = `${app.user}:${app.group}`;
    if (app.environment?.length) config.Env = app.environment.map((e) => `${e.name}=${e.value}`);
    if (app.exec?.length) config.Entrypoint = app.exec;
    if (app.workingDirectory) config.WorkingDir = app.workingDirectory;
    if (app.ports?.length) config.ExposedPorts = Object.fromEntries(app.ports.map((p) => [`${p.port}/${p.protocol}`, {}]));
    if (app.mountPoints?.length) config.Volumes = Object.fromEntries(app.mountPoints.map((mp) => [mp.path, {}]));
  }
  config.Labels = ociLabels(m);
  return {
    ...(created ? { created } : {}),
    ...ociPlatform(m),
    config,
    rootfs: { type: 'layers', diff_ids: diffIDs },
    history: diffIDs.map((_, i) => ({ ...(created ? { created } : {}), created_by: `jetpack: layer ${i + 1} of ${m.name}` })),
  };
}
