/**
 * Every error code the HTTP API answers with, and its status. A code missing from
 * this map is a compile error; docs/api.md lists the same codes (a test checks).
 */
export const ERROR_STATUS = {
  invalid_callback: 400,
  invalid_parameter: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  payload_too_large: 413,
  uri_too_long: 414,
  unsupported_media_type: 415,
  internal_error: 500,
  notify_handler_failed: 502,
  storage_unavailable: 503,
  notify_handler_timeout: 504,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** One problem with one input: a callback field, a query parameter. */
export interface ErrorDetail {
  field: string;
  problem: string;
}

/** The one error type of callevt's HTTP layer; it carries its code, details and cause. */
export class AppError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: readonly ErrorDetail[] = [],
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
    this.name = 'AppError';
    this.status = ERROR_STATUS[code];
  }

  /** The JSON body of an error answer: `{ "error": { code, message, details } }`. */
  toBody(): { error: { code: ErrorCode; message: string; details: readonly ErrorDetail[] } } {
    return { error: { code: this.code, message: this.message, details: this.details } };
  }
}
