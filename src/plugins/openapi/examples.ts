import { sample } from 'openapi-sampler';
import { FIELD_EXAMPLES } from './field-examples.js';
import type { JsonObject, OpenApiDocument, Operation } from './document-types.js';

/** Keywords whose values are data, not schemas: never walked as schemas. */
const DATA_KEYWORDS = new Set(['examples', 'example', 'enum', 'const', 'default']);
const COMPONENT_REF = '#/components/schemas/';

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function admits(schema: JsonObject, value: string | number | string[]): boolean {
  const types = [schema.type].flat();
  if (schema.format !== undefined || schema.enum !== undefined || schema.const !== undefined) return false;
  if (schema.default !== undefined) return false;
  if (Array.isArray(value)) {
    if (!types.includes('array') || !isObject(schema.items)) return false;
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) return false;
    const items = schema.items;
    const branches = Array.isArray(items.anyOf) ? items.anyOf.filter(isObject) : [items];
    return value.every((item) => branches.some((branch) => admits(branch, item)));
  }
  if (typeof value === 'number') return types.includes('number') || types.includes('integer');
  if (!types.includes('string')) return false;
  if (typeof schema.minLength === 'number' && value.length < schema.minLength) return false;
  if (typeof schema.maxLength === 'number' && value.length > schema.maxLength) return false;
  return typeof schema.pattern !== 'string' || new RegExp(schema.pattern, 'u').test(value);
}

/** The instant the examples' times show, as milliseconds (`createdAtMS`…). */
const EXAMPLE_EPOCH_MS = Date.parse('2026-05-04T09:30:00.000Z');

/** The example of a field: the table's, or for a millisecond time (`createdAtMS`…) the examples' instant. */
function exampleFor(component: string | undefined, name: string): string | number | string[] | undefined {
  const value = (component && FIELD_EXAMPLES[`${component}.${name}`]) ?? FIELD_EXAMPLES[name];
  if (value !== undefined) return value;
  return /(At|Time|Date)MS$/.test(name) ? EXAMPLE_EPOCH_MS : undefined;
}

/** Gives each property named in FIELD_EXAMPLES (or a `…AtMS`, `…TimeMS` time) without examples of its own that example. */
function addFieldExamples(node: unknown, component: string | undefined): void {
  if (Array.isArray(node)) {
    for (const item of node) addFieldExamples(item, component);
    return;
  }
  if (!isObject(node)) return;
  if (isObject(node.properties)) {
    for (const [name, property] of Object.entries(node.properties)) {
      if (!isObject(property) || property.examples !== undefined) continue;
      const value = exampleFor(component, name);
      // A nullable field: the example goes on its non-null branch.
      const target = Array.isArray(property.anyOf)
        ? property.anyOf.find((branch): branch is JsonObject => isObject(branch) && branch.type !== 'null')
        : property;
      if (value !== undefined && target && admits(target, value)) target.examples = [value];
    }
  }
  for (const [key, value] of Object.entries(node)) if (!DATA_KEYWORDS.has(key)) addFieldExamples(value, component);
}

function operationsOf(doc: OpenApiDocument): Operation[] {
  return Object.values(doc.paths).flatMap((item) => Object.values(item));
}

/**
 * Field examples on every schema, then an example of every JSON request and success body,
 * sampled from its schema (openapi-sampler) unless the operation gave one.
 */
export function addExamples(doc: OpenApiDocument): void {
  for (const [name, schema] of Object.entries(doc.components.schemas)) addFieldExamples(schema, name);
  const operations = operationsOf(doc);
  for (const operation of operations) addFieldExamples([operation.requestBody, operation.responses], undefined);
  for (const operation of operations) {
    const request = operation.requestBody?.content?.['application/json'];
    if (request?.schema && request.example === undefined && request.examples === undefined)
      request.example = sample(request.schema, {}, doc);
    for (const [status, response] of Object.entries(operation.responses ?? {})) {
      const media = status.startsWith('2') ? response.content?.['application/json'] : undefined;
      if (media?.schema && media.example === undefined && media.examples === undefined)
        media.example = sample(media.schema, {}, doc);
    }
  }
}

/**
 * Every schema titled in the routes' TypeBox schemas (`{ title: 'Room' }`) becomes a named
 * component, referred to wherever a response uses it. Request bodies stay inline: a body's fields
 * are read from the document by the hostile-input run (test/security/14-hostile-input-run.test.ts).
 */
export function nameTitledSchemas(doc: OpenApiDocument): void {
  const components = doc.components.schemas;
  const known = new Map<string, string>(
    Object.entries(components).map(([name, schema]) => [name, JSON.stringify(schema)]),
  );
  const hoist = (node: unknown, root: boolean): unknown => {
    if (Array.isArray(node)) return node.map((item) => hoist(item, false));
    if (!isObject(node)) return node;
    const copy = Object.fromEntries(
      Object.entries(node).map(([key, value]) => [key, DATA_KEYWORDS.has(key) ? value : hoist(value, false)]),
    );
    if (typeof node.title !== 'string' || root) return copy;
    const name = node.title;
    const json = JSON.stringify(copy);
    const seen = known.get(name);
    if (seen !== undefined && seen !== json) throw new Error(`OpenAPI: two different schemas are titled "${name}"`);
    known.set(name, json);
    components[name] = copy;
    return { $ref: `${COMPONENT_REF}${name}` };
  };
  for (const [name, schema] of Object.entries(components)) {
    components[name] = hoist(schema, true) as JsonObject;
    known.set(name, JSON.stringify(components[name]));
  }
  for (const operation of operationsOf(doc)) {
    for (const response of Object.values(operation.responses ?? {}))
      for (const media of Object.values(response.content ?? {}))
        if (media.schema) media.schema = hoist(media.schema, false);
  }
}
