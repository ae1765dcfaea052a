/**
 * An error caused by the user's input (a file, a flag, an image). The CLI prints its
 * message as one line and exits with code 2, never with a stack trace.
 * Messages should name the file (if any), the field or key, and the expected form.
 */
export class UserError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = "UserError";
  }
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError;
}
