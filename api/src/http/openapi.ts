/**
 * openapi.json, generated from the zod contracts (zod 4's own JSON Schema output), so
 * the document cannot drift from what the handlers accept and return.
 */
import { z } from 'zod';
import { ARGS, BatchCall, BatchEnvelope, MAX_BATCH_CALLS, type FunctionName } from '../contracts/params';
import { Problem } from '../contracts/problem';
import { BUDGET } from '../service/budget';
import * as R from '../contracts/responses';
import { FIELDS } from '../engine/fields';

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

const schema = (s: z.ZodType, io: 'input' | 'output' = 'output') =>
  z.toJSONSchema(s, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;

function queryParameters(fn: FunctionName) {
  const obj = schema(ARGS[fn], 'input');
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

const problemResponses = {
  '400': {
    description: 'Invalid parameter (the problem names the field)',
    content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
  },
  '401': { description: 'Missing or wrong function key' },
  '404': {
    description: 'Data not available for the request (before the history, not a session, unknown symbol)',
    content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
  },
  '422': {
    description: `Over the request budget (${BUDGET.maxCells} cells per request, summed over a batch); the problem names the budget and how to split the request`,
    content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
  },
  '503': {
    description: 'Data could not be loaded, or (type busy, with Retry-After) the queue of heavy requests is full',
    content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
  },
};

let cached: { version: string; doc: unknown } | null = null;

export function openApiDocument(version: string): unknown {
  if (cached?.version === version) return cached.doc;
  const paths: Record<string, unknown> = {};
  for (const fn of Object.keys(RESULT) as (keyof typeof RESULT)[]) {
    paths[`/api/v1/${fn}`] = {
      get: {
        operationId: fn,
        summary: SUMMARY[fn],
        security: fn === 'status' ? [] : [{ functionKey: [] }, { functionKeyQuery: [] }],
        parameters: queryParameters(fn),
        responses: {
          '200': { description: 'OK', content: { 'application/json': { schema: schema(RESULT[fn]) } } },
          ...problemResponses,
        },
      },
    };
  }
  paths['/api/v1/batch'] = {
    post: {
      operationId: 'batch',
      summary: `Up to ${MAX_BATCH_CALLS} calls in one request; each result is {value} or {error} (a problem), in order. fn "field" returns one registry field's value for asOf (args: field, asOf, symbol, benchmark, profile). The body is an array of calls, or {defaults, calls} to send a shared symbol/benchmark/profile once.`,
      security: [{ functionKey: [] }, { functionKeyQuery: [] }],
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              oneOf: [
                { type: 'array', maxItems: MAX_BATCH_CALLS, items: schema(BatchCall, 'input') },
                {
                  ...schema(BatchEnvelope, 'input'),
                  description: "defaults (symbol, benchmark, profile) are laid under each call's args",
                },
              ],
            },
          },
        },
      },
      responses: {
        '200': {
          description: 'One result per call',
          content: { 'application/json': { schema: schema(R.BatchResponse) } },
        },
        '400': problemResponses['400'],
        '413': { description: 'Body over 1 MB or more than the allowed calls' },
        '415': { description: 'Body is not application/json' },
        '422': problemResponses['422'],
        '503': problemResponses['503'],
      },
    },
  };
  paths['/api/v1/openapi.json'] = {
    get: {
      operationId: 'openapi',
      summary: 'This document',
      security: [],
      responses: { '200': { description: 'OK' } },
    },
  };
  const doc = {
    openapi: '3.1.0',
    info: {
      title: 'IWM Signal Analyzer API',
      version,
      description:
        'Four-layer Russell 2000 (IWM) signal: trend, momentum, breadth, relative strength, composite, rotation, sizing, macro overlay. Field definitions: docs/SIGNALS.md.',
    },
    paths,
    components: {
      schemas: {
        Problem: schema(Problem),
        Field: {
          type: 'string',
          enum: FIELDS.map((f) => f.name),
          description: 'registry field names (IWM.SIGNAL, history fields)',
        },
        FieldArgs: schema(ARGS.field, 'input'),
        FieldValue: schema(R.FieldValueResult),
      },
      securitySchemes: {
        functionKey: { type: 'apiKey', in: 'header', name: 'x-functions-key' },
        functionKeyQuery: { type: 'apiKey', in: 'query', name: 'code' },
      },
    },
  };
  cached = { version, doc };
  return doc;
}
