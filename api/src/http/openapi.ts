/**
 * openapi.json, generated from the zod contracts (zod 4's own JSON Schema output, placed
 * in components/schemas by openapi-schemas.ts), so the document cannot drift from what the
 * handlers accept and return. test/api/openapi.test.ts validates it with an independent
 * OpenAPI validator and compiles a client generated from it.
 */
import { z } from 'zod';
import {
  ARGS,
  BatchCall,
  BatchEnvelope,
  MAX_BATCH_CALLS,
  MAX_BODY_BYTES,
  type FunctionName,
} from '../contracts/params';
import { Problem, PROBLEM_TYPES, type ProblemType } from '../contracts/problem';
import { BUDGET, QUEUE } from '../service/budget';
import * as R from '../contracts/responses';
import { FIELDS } from '../engine/fields';
import { ComponentSchemas, SCHEMA_REF_PREFIX, type JsonSchema } from './openapi-schemas';

const RESULT: Record<Exclude<FunctionName, 'field'>, z.ZodType> = {
  signal: R.Reading,
  history: R.HistoryTable,
  levels: R.Levels,
  debrief: R.Debriefs,
  backtest: R.BacktestResult,
  calendar: R.CalendarResult,
  status: R.StatusResult,
};

const SUMMARY: Record<Exclude<FunctionName, 'field'>, string> = {
  signal:
    'The full reading of one session: layers, composite with rationale and flip distances, rotation with posture, sizing, macro windows and thresholds',
  history: 'One row per session over a date range, as columns + rows (for spilling into Excel)',
  levels: 'Support and resistance levels (cluster means of swing points) as of a session',
  debrief: 'End-of-day debrief of a session (date) or a range (from/to)',
  backtest: 'Composite setups and failure rates, by rotation state, and the generic SMA-cross comparison',
  calendar: 'Macro events whose windows overlap a date range (default: 30 days before the last bar to 180 after)',
  status: 'Data source, last bar date, staleness, last refresh and version',
};

/** The routes that run a service function on their query (every GET route but status and openapi). */
type DataRoute = keyof typeof RESULT;

/**
 * What each route can answer besides 200, by problem type (PROBLEM_TYPES gives the status).
 * Derived from the handlers (routes.ts), the service and the budget:
 * - every data route: a bad parameter (400), no or a wrong key (401), a date before the
 *   history or an unknown symbol (404), no data loaded or a full queue of heavy work (503);
 *   any of them can be heavy, since computing a history not yet cached is (budget.ts);
 * - 422 only where the answer grows with the request: a range's sessions (history, debrief,
 *   backtest) or the calendar's events (the server's file plus a profile's). signal and
 *   levels are bounded far below BUDGET.maxCells (test/api/openapi.test.ts checks it);
 * - a batch fails as a whole only on its body, key, size, budget or queue: a call that
 *   fails on its own is an { error } in its place of the 200;
 * - status and openapi take no parameters: a query is 400;
 * - every route: 503 data-unavailable when the server cannot start (its configuration is
 *   invalid or the store cannot be reached), since the runtime is created on first use.
 * Not per operation: 405 for a method a route does not allow, and 500 with a reference id
 * for a fault of the server (see info.description).
 */
const DATA_ERRORS: ProblemType[] = ['invalid-parameter', 'unauthorized', 'not-available', 'data-unavailable', 'busy'];
const ERRORS: Record<DataRoute | 'batch' | 'openapi', ProblemType[]> = {
  signal: DATA_ERRORS,
  levels: DATA_ERRORS,
  history: [...DATA_ERRORS, 'over-budget'],
  debrief: [...DATA_ERRORS, 'over-budget'],
  backtest: [...DATA_ERRORS, 'over-budget'],
  calendar: [...DATA_ERRORS, 'over-budget'],
  status: ['invalid-parameter', 'data-unavailable'],
  openapi: ['invalid-parameter', 'data-unavailable'],
  batch: [
    'invalid-body',
    'invalid-parameter',
    'unauthorized',
    'payload-too-large',
    'unsupported-media-type',
    'over-budget',
    'data-unavailable',
    'busy',
  ],
};

/** Why a problem type happens, for the response descriptions. */
const WHY: Partial<Record<ProblemType, string>> = {
  'invalid-parameter': 'a parameter is invalid or unknown; `errors` names each field',
  'invalid-body': 'the body is not JSON, or not an array of {fn, args} calls or {defaults, calls}',
  unauthorized:
    "no or a wrong function key (x-functions-key or ?code=); Azure's own 401 has no body, the local host's is a problem",
  'not-available': 'no data for the request: a date before the history or not a session, an unknown symbol',
  'payload-too-large': `the body is over ${MAX_BODY_BYTES} bytes or holds more than ${MAX_BATCH_CALLS} calls`,
  'unsupported-media-type': 'the body is not sent as Content-Type: application/json',
  'over-budget': `over the request budget of ${BUDGET.maxCells} cells (summed over a batch's calls) or ${BUDGET.maxHistories} symbol/benchmark/profile combinations per batch; the detail says how to split the request`,
  'data-unavailable': 'no data can be served (nothing stored yet, the store unreachable) or the server cannot start',
  busy: `the queue of heavy requests is full (${QUEUE.maxInFlight} running, ${QUEUE.maxQueued} waiting by default); retry after Retry-After seconds`,
};

const PROBLEM_JSON = 'application/problem+json';
const problemRef = { $ref: `${SCHEMA_REF_PREFIX}Problem` };

/** One response per status, its description listing the problem types it can carry. */
function problemResponses(kinds: readonly ProblemType[]): Record<string, unknown> {
  const byStatus = new Map<number, ProblemType[]>();
  for (const kind of kinds) byStatus.set(PROBLEM_TYPES[kind], [...(byStatus.get(PROBLEM_TYPES[kind]) ?? []), kind]);
  const out: Record<string, unknown> = {};
  for (const [status, types] of [...byStatus].sort(([a], [b]) => a - b)) {
    out[String(status)] = {
      description: types.map((t) => `${t}: ${WHY[t] ?? t}`).join('. '),
      ...(types.includes('busy')
        ? {
            headers: {
              'Retry-After': {
                description: 'with type busy: seconds to wait before retrying',
                schema: { type: 'integer', minimum: 1 },
              },
            },
          }
        : {}),
      content: { [PROBLEM_JSON]: { schema: problemRef } },
    };
  }
  return out;
}

function queryParameters(schemas: ComponentSchemas, fn: FunctionName) {
  const obj = schemas.of(ARGS[fn], 'input');
  const props = (obj.properties ?? {}) as Record<string, Record<string, unknown>>;
  const required = new Set((obj.required as string[] | undefined) ?? []);
  return Object.entries(props).map(([name, s]) => ({
    name,
    in: 'query',
    required: required.has(name),
    schema: s,
    ...(s.description ? { description: s.description } : {}),
  }));
}

/**
 * The {defaults, calls} body. Its zod contract takes `calls` and `defaults` as unknown, as
 * the server checks each call (and each default, inside the calls that use it) on its own
 * so one bad call fails alone; what a client must send is documented here: the calls of
 * the bare-array form, and defaults of the data routes' own symbol/benchmark/profile.
 */
function batchEnvelope(schemas: ComponentSchemas, calls: JsonSchema): JsonSchema {
  const envelope = schemas.of(BatchEnvelope, 'input');
  const common = schemas.of(ARGS.signal, 'input').properties as Record<string, JsonSchema>;
  const defaults = (envelope.properties as Record<string, JsonSchema>).defaults;
  const defaultProps = Object.fromEntries(
    Object.keys(defaults.properties as Record<string, unknown>).map((k) => [k, common[k]]),
  );
  return {
    ...envelope,
    properties: { defaults: { ...defaults, properties: defaultProps }, calls },
    description: "defaults (symbol, benchmark, profile) are laid under each call's args",
  };
}

const KEYED = [{ functionKey: [] }, { functionKeyQuery: [] }];

let cached: { version: string; doc: unknown } | null = null;

export function openApiDocument(version: string): unknown {
  if (cached?.version === version) return cached.doc;
  const schemas = new ComponentSchemas();
  // Schemas named with .meta({ id }) land in components/schemas under that name.
  schemas.of(Problem);
  const paths: Record<string, unknown> = {};
  for (const fn of Object.keys(RESULT) as DataRoute[]) {
    paths[`/api/v1/${fn}`] = {
      get: {
        operationId: fn,
        summary: SUMMARY[fn],
        security: fn === 'status' ? [] : KEYED,
        parameters: queryParameters(schemas, fn),
        responses: {
          '200': { description: 'OK', content: { 'application/json': { schema: schemas.of(RESULT[fn]) } } },
          ...problemResponses(ERRORS[fn]),
        },
      },
    };
  }
  const calls = {
    type: 'array',
    maxItems: MAX_BATCH_CALLS,
    items: schemas.put('BatchCall', schemas.of(BatchCall, 'input')),
  };
  paths['/api/v1/batch'] = {
    post: {
      operationId: 'batch',
      summary: `Up to ${MAX_BATCH_CALLS} calls in one request; each result is {value} or {error} (a problem), in order. fn "field" returns one registry field's value for asOf (args: field, asOf, symbol, benchmark, profile). The body is an array of calls, or {defaults, calls} to send a shared symbol/benchmark/profile once.`,
      security: KEYED,
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: { oneOf: [calls, batchEnvelope(schemas, calls)] },
          },
        },
      },
      responses: {
        '200': {
          description: 'One result per call, in order: {value} or {error} (a problem)',
          content: { 'application/json': { schema: schemas.of(R.BatchResponse) } },
        },
        ...problemResponses(ERRORS.batch),
      },
    },
  };
  paths['/api/v1/openapi.json'] = {
    get: {
      operationId: 'openapi',
      summary: 'This document',
      security: [],
      responses: {
        '200': {
          description: 'OpenAPI 3.1',
          content: { 'application/json': { schema: { type: 'object', required: ['openapi', 'paths'] } } },
        },
        ...problemResponses(ERRORS.openapi),
      },
    },
  };
  schemas.put('Field', {
    type: 'string',
    enum: FIELDS.map((f) => f.name),
    description: 'registry field names (IWM.SIGNAL, history fields)',
  });
  schemas.put('FieldArgs', schemas.of(ARGS.field, 'input'));
  // fn "field" answers inside a batch only; its result has a name for clients all the same.
  schemas.of(R.FieldValueResult);
  const doc = {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'IWM Signal Analyzer API',
      version,
      description:
        'Four-layer Russell 2000 (IWM) signal: trend, momentum, breadth, relative strength, composite, rotation, sizing, macro overlay. Field definitions: docs/SIGNALS.md. Errors are RFC 9457 problems (application/problem+json, schema Problem). Besides the statuses each operation lists, any route answers 405 (with Allow) to a method it does not take, and 500 (type internal, with a reference to the server log) to a fault of the server. GET routes answer HEAD too.',
    },
    paths,
    components: {
      schemas: schemas.schemas,
      securitySchemes: {
        functionKey: { type: 'apiKey', in: 'header', name: 'x-functions-key' },
        functionKeyQuery: { type: 'apiKey', in: 'query', name: 'code' },
      },
    },
  };
  cached = { version, doc };
  return doc;
}
