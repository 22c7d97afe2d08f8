/**
 * An error the user can cause and fix: bad input, unknown image, failing command.
 * The CLI prints its message as one line and exits non-zero; anything else is a bug
 * and gets a stack trace under -debug. Wrapping another error passes it as `cause`,
 * which -debug prints as a chain.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'UserError';
  }
}

/**
 * Whether an error is the environment's answer rather than a bug: a UserError, or a failed
 * system call (ENOSPC, EACCES, EIO… on a path the user gave). Both are reported as one line;
 * anything else (a TypeError, a broken invariant) is internal.
 */
export function isUserFacing(err: unknown): err is UserError | NodeJS.ErrnoException {
  if (err instanceof UserError) return true;
  const e = err as NodeJS.ErrnoException | undefined;
  return e instanceof Error && typeof e.code === 'string' && typeof e.syscall === 'string';
}
