// OpenAPI 3.1 (https://spec.openapis.org/oas/v3.1.0) document types and JSON Schema 2020-12 builders used by the API description.

/** A JSON Schema (2020-12 dialect, as OpenAPI 3.1 uses it). */
export type JsonSchema = { readonly [key: string]: unknown };

/** Any OpenAPI object that is not modelled in detail. */
export type OpenApiObject = { readonly [key: string]: unknown };

/** An OpenAPI 3.1 document (the parts this project fills in). */
export interface OpenApiDocument {
  /** Always `3.1.0`. */
  readonly openapi: "3.1.0";
  /** Title, version, description. */
  readonly info: OpenApiObject;
  /** Where the API is served; relative (`/`). */
  readonly servers: readonly OpenApiObject[];
  /** Default security requirement (any one scheme). */
  readonly security: readonly OpenApiObject[];
  /** Operation tags. */
  readonly tags: readonly OpenApiObject[];
  /** Path items by path template. */
  readonly paths: { readonly [path: string]: OpenApiObject };
  /** Reusable schemas, responses, parameters, headers, examples, security schemes. */
  readonly components: {
    readonly [section: string]: { readonly [name: string]: unknown };
  };
}

/**
 * A `$ref` to a component, e.g. `ref("Message")` is
 * `{"$ref":"#/components/schemas/Message"}`.
 */
export function ref(name: string, section = "schemas"): { $ref: string } {
  return { $ref: `#/components/${section}/${name}` };
}

/** A string schema with a description. */
export function str(description: string, extra: JsonSchema = {}): JsonSchema {
  return { type: "string", description, ...extra };
}

/** An integer schema with a description. */
export function int(description: string, extra: JsonSchema = {}): JsonSchema {
  return { type: "integer", description, ...extra };
}

/** A boolean schema with a description. */
export function bool(description: string): JsonSchema {
  return { type: "boolean", description };
}

/** An array schema. */
export function list(
  items: JsonSchema,
  description: string,
  extra: JsonSchema = {},
): JsonSchema {
  return { type: "array", description, items, ...extra };
}

/** An object schema with properties (further keys allowed: unknown keys are ignored). */
export function obj(
  description: string,
  properties: { readonly [key: string]: JsonSchema },
  extra: JsonSchema = {},
): JsonSchema {
  return { type: "object", description, properties, ...extra };
}
