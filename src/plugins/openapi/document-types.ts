/** The parts of an OpenAPI 3.1 document that shaping it (`examples.ts`, `../openapi.ts`) reads or writes. */
export type JsonObject = Record<string, unknown>;

export interface MediaType {
  schema?: unknown;
  example?: unknown;
  examples?: Record<string, unknown>;
}

export interface Operation {
  operationId?: string;
  requestBody?: { content?: Record<string, MediaType> };
  responses?: Record<string, { description?: string; content?: Record<string, MediaType> }>;
  [field: string]: unknown;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, JsonObject>; [section: string]: unknown };
  [field: string]: unknown;
}
