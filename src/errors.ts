/**
 * An error the user can cause and fix: bad input, unknown image, failing command.
 * The CLI prints its message as one line and exits non-zero; anything else is a bug
 * and gets a stack trace under JETPACK_DEBUG=1.
 */
export class UserError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'UserError';
  }
}
