/**
 * What `neuroon` exits with. Scripts branch on these, so they never change meaning; the README's
 * "Exit codes" table documents them.
 */
export const ExitCode = {
  /** Everything asked for was done. */
  OK: 0,
  /** The operation failed: Neuroon unreachable, a server error, a product not found, a check failed. */
  FAILED: 1,
  /** Bad usage or configuration: unknown option, missing shop id, malformed or refused API key. */
  USAGE: 2,
  /** Partly done: some items were rejected or failed while the rest went through. */
  PARTIAL: 3,
  /** The reconcile safety valve refused to delete a large share of the catalog (use --force). */
  SAFETY_VALVE: 4,
} as const;

/** One of the documented exit codes. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];
