import { access } from 'node:fs/promises';

/** Whether `file` exists (following symlinks) and, given `mode` (fs.constants.X_OK…), allows it. */
export function pathExists(file: string, mode?: number): Promise<boolean> {
  return access(file, mode).then(
    () => true,
    () => false,
  );
}
