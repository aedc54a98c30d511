import type { ErrorCode, OpsError } from "../../generated/bindings";
import { ERROR_CODES } from "../../generated/commands";

/** Everything the UI asks of the Stampfleet backend: generated from fleet-ops' command list. */
export type { Backend } from "../../generated/commands";

/** A failed backend call, carrying the backend's error code. */
export class BackendError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = "BackendError";
    this.code = code;
  }

  toOpsError(): OpsError {
    return { code: this.code, message: this.message };
  }
}

function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === "string" && (ERROR_CODES as readonly string[]).includes(value);
}

/** Turns whatever a call rejected with into a BackendError. */
export function toBackendError(reason: unknown): BackendError {
  if (reason instanceof BackendError) return reason;
  if (typeof reason === "object" && reason !== null) {
    const { code, message } = reason as Partial<Record<keyof OpsError, unknown>>;
    if (isErrorCode(code) && typeof message === "string") {
      return new BackendError(code, message);
    }
    if (reason instanceof Error) return new BackendError("internal", reason.message);
  }
  if (typeof reason === "string" && reason.length > 0) {
    return new BackendError("internal", reason);
  }
  return new BackendError("internal", "The backend failed without saying why");
}

/** Runs a backend call, normalising any rejection to a BackendError. */
export async function call<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (reason) {
    throw toBackendError(reason);
  }
}
