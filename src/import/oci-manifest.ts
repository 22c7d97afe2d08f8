// src/import/: what enters the store from other formats: OCI images, registry pulls.
import { isACIdentifier } from '../image/identifiers.js';
import type { App, ImageManifest, Label } from '../image/manifest.js';

/** The OCI image config fields jetpack reads (image-spec config.md). */
export interface OciConfig {
  created?: string;
  architecture?: string;
  variant?: string;
  os?: string;
  config?: {
    User?: string;
    Env?: string[];
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    WorkingDir?: string;
    ExposedPorts?: Record<string, unknown>;
    Volumes?: Record<string, unknown>;
    Labels?: Record<string, string> | null;
  };
  rootfs?: { type?: string; diff_ids?: string[] };
}

/** OCI architecture (+ variant) → appc arch label: the inverse of export's mapping. */
export function appcArch(architecture = 'amd64', variant?: string): string {
  const byOci: Record<string, string> = { amd64: 'amd64', '386': 'i386', arm64: 'aarch64', ppc64le: 'ppc64le', ppc64: 'ppc64', s390x: 's390x' };
  if (architecture === 'arm') return variant === 'v6' ? 'armv6l' : 'armv7l';
  return byOci[architecture] ?? architecture;
}

/** A name or label value made into an AC identifier: lowercase, other characters as "-". */
export function acName(text: string): string {
  const name = text
    .toLowerCase()
    .replace(/[^a-z0-9._~/-]+/g, '-')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '')
    .replace(/([-._~/])[-._~/]+/g, '$1');
  return name || 'unnamed';
}

/** Standard OCI annotation keys that have an appc annotation (the inverse of export's). */
const FROM_STANDARD: Record<string, string> = {
  'org.opencontainers.image.url': 'homepage',
  'org.opencontainers.image.documentation': 'documentation',
  'org.opencontainers.image.authors': 'authors',
  'org.opencontainers.image.description': 'description',
  'org.opencontainers.image.created': 'created',
};

function app(config: NonNullable<OciConfig['config']>): App | undefined {
  const exec = [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])];
  const [user = '0', group] = (config.User || '0').split(':');
  const out: App = { ...(exec.length ? { exec } : {}), user: user || '0', group: group || (/^\d+$/.test(user) ? user : '0') };
  const env = (config.Env ?? [])
    .map((e) => ({ name: e.slice(0, Math.max(0, e.indexOf('='))), value: e.slice(e.indexOf('=') + 1) }))
    .filter((e) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(e.name));
  if (env.length) out.environment = env;
  if (config.WorkingDir) out.workingDirectory = config.WorkingDir;
  const ports = Object.keys(config.ExposedPorts ?? {})
    .map((key) => /^(\d+)(?:\/(tcp|udp|sctp))?$/.exec(key))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ name: `${m[2] ?? 'tcp'}-${m[1]}`, protocol: m[2] ?? 'tcp', port: Number(m[1]) }));
  if (ports.length) out.ports = ports;
  const mounts = Object.keys(config.Volumes ?? {}).map((p) => ({
    name:
      p
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-+|-+$/g, '') || 'root',
    path: p,
  })); // AC Names: a-z, 0-9, "-"
  if (mounts.length) out.mountPoints = mounts;
  return out;
}

/**
 * The appc manifest of an image from its OCI config and manifest annotations (the inverse of
 * docs/OCI.md's table), named `name`, with the layer below as its dependency.
 */
export function appcManifest(
  name: string,
  config: OciConfig,
  annotations: Record<string, string>,
  tag: string | undefined,
  dependency?: { imageName: string; imageID: string },
): ImageManifest {
  const labelsIn = config.config?.Labels ?? {};
  const version =
    labelsIn['org.opencontainers.image.version'] ?? annotations['org.opencontainers.image.version'] ?? (tag && tag !== 'latest' ? tag : undefined);
  const labels: Label[] = [
    ...(version ? [{ name: 'version', value: version }] : []),
    { name: 'os', value: config.os ?? 'linux' },
    { name: 'arch', value: appcArch(config.architecture, config.variant) },
  ];
  const notes = new Map<string, string>();
  for (const [k, v] of Object.entries({ ...labelsIn, ...annotations })) {
    const key = FROM_STANDARD[k] ?? k;
    if (k === 'org.opencontainers.image.title' || k === 'org.opencontainers.image.version' || k === 'org.opencontainers.image.ref.name') continue;
    if (key !== 'version' && isACIdentifier(key)) notes.set(key, v);
  }
  if (config.created && !notes.has('created')) notes.set('created', config.created);
  const appSection = config.config ? app(config.config) : undefined;
  return {
    acKind: 'ImageManifest',
    acVersion: '0.8.11',
    name,
    labels,
    ...(appSection ? { app: appSection } : {}),
    ...(dependency ? { dependencies: [dependency] } : {}),
    ...(notes.size ? { annotations: [...notes].sort(([a], [b]) => a.localeCompare(b)).map(([n, value]) => ({ name: n, value })) } : {}),
  };
}
