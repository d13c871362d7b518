import type { ConsoleError, ConsoleErrorCode } from '../../shared/ipc/contract.js';

/** A handler's refusal with the code the renderer switches on. */
export class ConsoleServiceError extends Error {
  override name = 'ConsoleServiceError';
  constructor(
    readonly code: ConsoleErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Shorthand for throwing a typed refusal. */
export const refuse = (code: ConsoleErrorCode, message: string): never => {
  throw new ConsoleServiceError(code, message);
};

/**
 * Maps anything a handler threw to a wire error. Unknown errors keep their message (the user
 * needs the cause) but never a stack; SQLite failures are STORE_ERROR so the UI can say the
 * store, not the request, is at fault.
 */
export function toConsoleError(e: unknown): ConsoleError {
  if (e instanceof ConsoleServiceError) return { code: e.code, message: e.message };
  if (e instanceof Error) {
    if (e.name === 'SqliteError' || /^SQLITE_/.test(String((e as { code?: unknown }).code ?? ''))) return { code: 'STORE_ERROR', message: `store error: ${e.message}` };
    return { code: 'INTERNAL', message: e.message };
  }
  return { code: 'INTERNAL', message: String(e) };
}
