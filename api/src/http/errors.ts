/**
 * Any error -> a problem document. Input problems are 4xx and name the field; data that
 * cannot be loaded is 503 with the reason (absolute paths cut to file names); anything
 * unexpected is a 500 whose detail carries an id to find the logged stack, never the
 * stack itself.
 */
import { randomUUID } from 'node:crypto';
import { ZodError } from 'zod';
import { DataFileError } from '../data/csv-bars';
import { ProviderError } from '../data/providers/types';
import { ProfileError } from '../engine/profile';
import { SessionError } from '../engine/sessions';
import { makeProblem, ProblemError, zodIssues, type Problem } from '../contracts/problem';
import { ConfigError } from '../service/config';
import { withoutPaths } from '../service/redact';
import { SourceError } from '../service/snapshot-source';
import { CorruptObjectError, StoreUnavailableError } from '../storage/types';

export function toProblem(err: unknown, log: (msg: string) => void = console.error): Problem {
  if (err instanceof ProblemError) return err.problem;
  if (err instanceof ZodError) {
    const issues = zodIssues(err);
    return makeProblem('invalid-parameter', issues.map((i) => `${i.field}: ${i.message}`).join('; '), issues);
  }
  if (err instanceof ProfileError)
    return makeProblem(
      'invalid-parameter',
      err.message,
      err.issues.map((i) => ({ field: i.field === 'profile' ? 'profile' : `profile.${i.field}`, message: i.message })),
    );
  if (err instanceof SessionError)
    return makeProblem(err.kind === 'invalid' ? 'invalid-parameter' : 'not-available', err.message);
  if (
    err instanceof DataFileError ||
    err instanceof SourceError ||
    err instanceof ProviderError ||
    err instanceof StoreUnavailableError ||
    err instanceof CorruptObjectError ||
    err instanceof ConfigError
  )
    // The detail says what failed, naming files but never the server's absolute paths.
    return makeProblem('data-unavailable', withoutPaths(err.message));
  const id = randomUUID();
  log(`internal error ${id}: ${(err as Error)?.stack ?? String(err)}`);
  return makeProblem('internal', `unexpected error; reference ${id} in the server log`);
}
