/**
 * Errors as RFC 9457 problem details (`application/problem+json`). The `type` says what
 * kind of problem it is, so a client (the add-in) can map it without parsing text:
 * `invalid-parameter` -> Excel #VALUE!, `not-available` -> #N/A, anything else -> a
 * message naming the failure. `over-budget` (422) is a request larger than the budget
 * (api/src/service/budget.ts); `busy` (503, with Retry-After) is a full queue of heavy work.
 */
import { z } from 'zod';

export const PROBLEM_BASE = 'https://iwm-signal-analyzer.dev/problems/';

export const PROBLEM_TYPES = {
  'invalid-parameter': 400,
  'invalid-body': 400,
  'bad-request': 400,
  unauthorized: 401,
  forbidden: 403,
  'not-available': 404,
  'not-found': 404,
  'method-not-allowed': 405,
  'request-timeout': 408,
  'payload-too-large': 413,
  'unsupported-media-type': 415,
  'over-budget': 422,
  'headers-too-large': 431,
  'data-unavailable': 503,
  busy: 503,
  internal: 500,
  'not-implemented': 501,
} as const;
export type ProblemType = keyof typeof PROBLEM_TYPES;

export const ProblemIssue = z.object({
  /** Dotted path of the parameter or body field, e.g. `asOf`, `profile.momentum.atrMultiplier`, `[3].fn`. */
  field: z.string(),
  message: z.string(),
});
export type ProblemIssue = z.infer<typeof ProblemIssue>;

export const Problem = z
  .object({
    type: z.string().meta({ example: `${PROBLEM_BASE}invalid-parameter` }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.array(ProblemIssue).optional(),
  })
  .meta({ id: 'Problem' });
export type Problem = z.infer<typeof Problem>;

const TITLES: Record<ProblemType, string> = {
  'invalid-parameter': 'Invalid parameter',
  'invalid-body': 'Invalid request body',
  'bad-request': 'Bad request',
  unauthorized: 'Missing or wrong function key',
  forbidden: 'Forbidden',
  'not-available': 'Data not available',
  'not-found': 'Not found',
  'method-not-allowed': 'Method not allowed',
  'request-timeout': 'Request timeout',
  'payload-too-large': 'Payload too large',
  'unsupported-media-type': 'Unsupported media type',
  'over-budget': 'Request over budget',
  'headers-too-large': 'Request header fields too large',
  'data-unavailable': 'Data unavailable',
  busy: 'Busy',
  internal: 'Internal error',
  'not-implemented': 'Not implemented',
};

/** The problem type a problem document carries (the last path segment of `type`). */
export function problemKind(p: Pick<Problem, 'type'>): ProblemType | null {
  const kind = p.type.startsWith(PROBLEM_BASE) ? p.type.slice(PROBLEM_BASE.length) : '';
  return Object.hasOwn(PROBLEM_TYPES, kind) ? (kind as ProblemType) : null;
}

export function makeProblem(kind: ProblemType, detail: string, errors?: ProblemIssue[]): Problem {
  return {
    type: PROBLEM_BASE + kind,
    title: TITLES[kind],
    status: PROBLEM_TYPES[kind],
    detail,
    ...(errors && errors.length ? { errors } : {}),
  };
}

/**
 * A failure that already knows its problem document; thrown by the service and the HTTP
 * layer. `headers` go out with the response (Retry-After on `busy`).
 */
export class ProblemError extends Error {
  constructor(
    readonly problem: Problem,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(problem.detail);
    this.name = 'ProblemError';
  }

  static of(
    kind: ProblemType,
    detail: string,
    errors?: ProblemIssue[],
    headers?: Readonly<Record<string, string>>,
  ): ProblemError {
    return new ProblemError(makeProblem(kind, detail, errors), headers);
  }
}

/** `a.b[2].c` from a zod path. */
export function pathText(path: readonly PropertyKey[], prefix = ''): string {
  let out = prefix;
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}

/** One issue per zod problem, each naming its field; unknown keys name each key. */
export function zodIssues(error: z.ZodError, prefix = ''): ProblemIssue[] {
  const out: ProblemIssue[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        out.push({ field: pathText([...issue.path, key], prefix), message: 'is not a known parameter' });
    } else if (issue.code === 'invalid_union' && issue.errors.length) {
      // Report the first alternative's reasons: a bare "invalid input" helps nobody.
      const first = issue.errors.flat()[0];
      out.push({
        field: pathText([...issue.path, ...(first?.path ?? [])], prefix),
        message: first?.message ?? issue.message,
      });
    } else {
      out.push({ field: pathText(issue.path, prefix) || prefix || '(request)', message: issue.message });
    }
  }
  return out;
}

/** "asOf: must be ...; count: ..." for a problem's detail line. */
export function issuesText(issues: readonly ProblemIssue[]): string {
  return issues.map((i) => `${i.field}: ${i.message}`).join('; ');
}
