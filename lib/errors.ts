export type ErrorCode =
  | "unauthenticated"
  | "forbidden"
  | "not_found"
  | "invalid_name"
  | "name_taken"
  | "quota_exceeded"
  | "invalid_state"
  | "invalid_profile"
  | "invalid_input"
  | "setup_closed"
  | "start_failed"
  | "conflict"
  | "cluster_full"
  | "cluster_forbidden"
  | "cluster_rejected"
  | "build_cancelled";

// An error whose message is written for the person who sees it: what was wrong and what to do.
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly status: number,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "AppError";
  }
}

export const notFound = (what: string) => new AppError("not_found", 404, `${what} does not exist.`);
