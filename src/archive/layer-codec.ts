import { availableParallelism } from 'node:os';
import { UserError } from '../errors.js';

export type LayerCompression = 'gzip' | 'zstd' | 'none';

/** How OCI layers are compressed: the format and its level (none has no level). */
export interface LayerCodec {
  compression: LayerCompression;
  level?: number;
}

const LEVELS = { gzip: { min: 1, max: 9, default: 1 }, zstd: { min: 1, max: 19, default: 3 } } as const;

/**
 * -compress and -compress-level of the OCI commands. gzip's default is level 1: isa-l's
 * igzip at 250 MB/s a core here against zlib's 25 MB/s at level 6, for layers ~10 % larger
 * (docs/DESIGN-CHOICES.md, "gzip level 1 by isa-l").
 */
export function parseLayerCodec(compress: string | undefined, level: string | undefined): LayerCodec {
  const compression = compress ?? 'gzip';
  if (compression !== 'gzip' && compression !== 'zstd' && compression !== 'none')
    throw new UserError(`OCI layers are compressed with gzip, zstd or none, not ${compression}`);
  if (compression === 'none') {
    if (level !== undefined) throw new UserError('-compress-level needs -compress=gzip or zstd');
    return { compression };
  }
  const range = LEVELS[compression];
  if (level === undefined) return { compression, level: range.default };
  const n = Number(level);
  if (!/^\d+$/.test(level) || n < range.min || n > range.max)
    throw new UserError(`-compress-level for ${compression} is ${range.min} to ${range.max}, not ${level}`);
  return { compression, level: n };
}

/** The codec in a kept blob's or layout's name: gzip1, zstd3, none. */
export function codecName(codec: LayerCodec): string {
  return `${codec.compression}${codec.level ?? ''}`;
}

/** What a kept blob or layout is made for: its codec and SOURCE_DATE_EPOCH. */
export function keptKey(codec: LayerCodec, epoch: number | undefined): string {
  return `${codecName(codec)}-${epoch ?? 'as-stored'}`;
}

/** The OCI media type of a layer blob written with the codec. */
export function layerMediaType(codec: LayerCodec): string {
  return {
    gzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
    zstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
    none: 'application/vnd.oci.image.layer.v1.tar',
  }[codec.compression];
}

/**
 * isa-l's igzip for gzip levels 1–3, else undefined. It writes one gzip member, whose trailer
 * holds the CRC-32 and the size (mod 2^32) of all it compressed.
 */
export function igzipCommand(codec: LayerCodec): string[] | undefined {
  if (codec.compression !== 'gzip' || codec.level! > 3) return undefined;
  return ['igzip', `-${codec.level}`, '-n', `-T${availableParallelism()}`, '-c'];
}
