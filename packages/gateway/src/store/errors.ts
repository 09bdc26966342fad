/** Typed store errors, identical on both dialects. */
import { LatchkeyError } from '../errors.ts';
import { isPostgresUniqueViolation } from './postgres.ts';
import { isSqliteUniqueViolation } from './sqlite.ts';

/** A unique key is already taken. */
export class ConflictError extends LatchkeyError {
  constructor(message: string) {
    super('already_exists', message);
    this.name = 'ConflictError';
  }
}

/** The row does not exist (in the caller's environment). */
export class NotFoundError extends LatchkeyError {
  constructor(message: string) {
    super('not_found', message);
    this.name = 'NotFoundError';
  }
}

export const isUniqueViolation = (e: unknown): boolean =>
  isSqliteUniqueViolation(e) || isPostgresUniqueViolation(e);

/** Runs a write and turns a unique-key violation into ConflictError(message). */
export async function orConflict<T>(message: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (e) {
    if (isUniqueViolation(e)) throw new ConflictError(message);
    throw e;
  }
}

/** Returns the row or throws NotFoundError(message). */
export function found<T>(row: T | undefined, message: string): T {
  if (row === undefined) throw new NotFoundError(message);
  return row;
}
