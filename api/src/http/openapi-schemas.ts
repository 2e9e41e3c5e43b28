/**
 * zod schemas as the JSON Schemas of one OpenAPI document.
 *
 * `z.toJSONSchema` makes a standalone JSON Schema: every schema named with `.meta({ id })`
 * goes under that schema's own `$defs`, referenced as `#/$defs/Name`. Embedded in an
 * OpenAPI document such a reference resolves against the document's root, which has no
 * `$defs`, so validators, Redocly, Swagger UI and client generators cannot follow it. Here
 * every `$defs` entry is hoisted into `components/schemas` and every reference rewritten
 * to `#/components/schemas/Name`; a name given to two different schemas, or a reference
 * of any other form, is an error when the document is built, never a broken document.
 *
 * Why not a generator (zod-openapi 6, @asteasolutions/zod-to-openapi 9, both for zod 4):
 * they add a dependency to the API's bundle and their own dialect of `.meta`/`.openapi`
 * to the contracts the add-in bundles too; zod's own output is what the contracts already
 * use (DayRef's `anyOf`, examples, formats), and this pass is all it lacks.
 */
import { z } from 'zod';

export type JsonSchema = Record<string, unknown>;

/** What OpenAPI allows as a component name (OpenAPI 3.1, Components Object). */
const COMPONENT_NAME = /^[A-Za-z0-9._-]+$/;
const DEFS_REF = /^#\/\$defs\/(.+)$/;
export const SCHEMA_REF_PREFIX = '#/components/schemas/';

export class ComponentSchemas {
  /** components/schemas of the document, filled as schemas are converted. */
  readonly schemas: Record<string, JsonSchema> = {};
  private readonly texts = new Map<string, string>();

  /** The JSON Schema of `schema` (its named parts moved to components/schemas, referenced). */
  of(schema: z.ZodType, io: 'input' | 'output' = 'output'): JsonSchema {
    return this.hoist(z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' })) as JsonSchema;
  }

  /** Puts `schema` into components/schemas as `name`; the same name for a different schema throws. */
  put(name: string, schema: JsonSchema): { $ref: string } {
    if (!COMPONENT_NAME.test(name)) throw new Error(`openapi: "${name}" is not a valid component name`);
    const text = JSON.stringify(schema);
    const before = this.texts.get(name);
    if (before !== undefined && before !== text)
      throw new Error(`openapi: two different schemas are named "${name}" (an input and an output form?)`);
    this.texts.set(name, text);
    this.schemas[name] = schema;
    return { $ref: SCHEMA_REF_PREFIX + name };
  }

  /** A copy of `node` with every `$defs` hoisted, every `$ref` rewritten and `$schema` dropped. */
  private hoist(node: unknown): unknown {
    if (Array.isArray(node)) return node.map((item) => this.hoist(item));
    if (node === null || typeof node !== 'object') return node;
    const out: JsonSchema = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === '$defs') {
        for (const [name, def] of Object.entries(value as Record<string, unknown>))
          this.put(decodePointer(name), this.hoist(def) as JsonSchema);
      } else if (key === '$ref') {
        out.$ref = rewriteRef(value);
      } else if (key !== '$schema') {
        // $schema: the document's jsonSchemaDialect says it once (OpenAPI 3.1 defaults to 2020-12).
        out[key] = this.hoist(value);
      }
    }
    return out;
  }
}

function decodePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

function rewriteRef(ref: unknown): string {
  if (typeof ref === 'string' && ref.startsWith(SCHEMA_REF_PREFIX)) return ref;
  const m = typeof ref === 'string' ? DEFS_REF.exec(ref) : null;
  if (!m || m[1].includes('/'))
    // "#" (a recursive schema) or a path into a definition: nothing in the contracts does this yet.
    throw new Error(`openapi: cannot place the reference ${JSON.stringify(ref)} in components/schemas`);
  return SCHEMA_REF_PREFIX + decodePointer(m[1]);
}
