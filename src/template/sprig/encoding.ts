import type { FuncDef } from '../builtins.js';
import { stringFunc as str } from './convert.js';

function firstBadBase64(s: string): number {
  const i = s.search(/[^A-Za-z0-9+/=]/);
  return i < 0 ? s.length : i;
}

/** Sprig's encodings. */
export const ENCODING: Record<string, FuncDef> = {
  b64enc: str((s) => Buffer.from(s).toString('base64')),
  b64dec: str((s) => {
    const bytes = Buffer.from(s, 'base64');
    return bytes.toString('base64').replace(/=+$/, '') === s.replace(/=+$/, '') ? bytes.toString() : `illegal base64 data at input byte ${firstBadBase64(s)}`;
  }),
};
