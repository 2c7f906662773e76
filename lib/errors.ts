// The one table from error code to HTTP status (DESIGN.md §6). A throw site names only the code,
// so the same refusal always gets the same status wherever it is raised; a code whose status would
// depend on the situation is two codes.
export const ERROR_STATUS = {
  /** The request itself is malformed: not JSON, a badly escaped address, a broken hand-off. */
  bad_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  quota_exceeded: 403,
  setup_closed: 403,
  not_found: 404,
  /** The thing exists, but is in a state that does not allow this now (already running, still stopping). */
  invalid_state: 409,
  /** Doing this would clash with something else (a name already used, the last administrator). */
  conflict: 409,
  name_taken: 409,
  build_cancelled: 409,
  /** Well-formed input that breaks a rule: a field's value, a name, a profile. */
  invalid_input: 422,
  invalid_name: 422,
  invalid_profile: 422,
  /** Understood, but never possible for this thing (delete the default server, reset a Jira password). */
  unsupported: 422,
  /** The person stopped waiting (closed the page); nobody reads this answer. nginx's "client closed request". */
  abandoned: 499,
  /** A build or a server start failed; the message says why. */
  start_failed: 500,
  delete_failed: 500,
  cluster_forbidden: 500,
  cluster_rejected: 500,
  /** Something Berth relies on (a Git server, the registry) answered wrongly or not at all. */
  upstream_failed: 502,
  /** Not possible right now, or not set up here: try again later, or ask an administrator. */
  unavailable: 503,
  cluster_full: 503,
  /** A step took longer than it may. */
  timeout: 504,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_STATUS;

// Marks an AppError whichever copy of this module made it: the custom server (esbuild's bundle)
// and Next.js's route bundles each load their own, and an error thrown by an object one made (the
// runtime's builder) is caught by code of the other.
const APP_ERROR = Symbol.for("berth.AppError");

// An error whose message is written for the person who sees it: what was wrong and what to do.
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    /** Response headers the refusal needs (WWW-Authenticate, Retry-After). */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = "AppError";
    Object.defineProperty(this, APP_ERROR, { value: true });
  }

  /** `x instanceof AppError` holds for an AppError of any copy of this module (subclasses check as usual). */
  static [Symbol.hasInstance](value: unknown): boolean {
    if (this !== AppError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[APP_ERROR] === true;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export const notFound = (what: string) => new AppError("not_found", `${what} does not exist.`);
