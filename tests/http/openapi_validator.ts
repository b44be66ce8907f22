// Test support: the OpenAPI document checked by maintained npm validators: the OpenAPI 3.1 schema (document shape) and Ajv's JSON Schema 2020-12 (each example against its schema).

import { Validator } from "@seriousme/openapi-schema-validator";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { walk } from "./openapi_schema.ts";

/**
 * Problems of the document against the OpenAPI 3.1 specification's own
 * JSON Schema; empty when it is valid.
 */
export async function documentProblems(
  document: object,
): Promise<string[]> {
  const result = await new Validator().validate(
    structuredClone(document) as Parameters<Validator["validate"]>[0],
  );
  if (result.valid) return [];
  const errors = result.errors;
  return Array.isArray(errors)
    ? errors.map((e) => `${e.instancePath}: ${e.message}`)
    : [String(errors)];
}

/** Where the document is registered in Ajv; local `$ref`s are rewritten to point into it. */
const DOC_ID = "urn:xmpp-rest:openapi";

/** Options of {@linkcode createExampleValidator}. */
export interface ExampleValidatorOptions {
  /**
   * Also reject object keys that a schema with `properties` does not list
   * (unless it sets `additionalProperties`): catches keys the document
   * forgot, although the API itself ignores unknown keys.
   */
  readonly strict: boolean;
}

/**
 * A JSON Schema 2020-12 validator (Ajv, with formats) for schemas of the
 * document: `validate(schema, value)` returns the problems, each with the
 * JSON pointer of the value; empty when the value fits.
 */
export function createExampleValidator(
  document: unknown,
  options: ExampleValidatorOptions,
): (schema: unknown, value: unknown) => string[] {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema(prepare(document, options.strict) as object, DOC_ID);
  return (schema, value) => {
    if (schema === undefined) return [];
    const check = ajv.compile(prepare(schema, options.strict) as object);
    if (check(value)) return [];
    return (check.errors ?? []).map((e) =>
      `${e.instancePath || "/"}: ${e.message} ${JSON.stringify(e.params)}`
    );
  };
}

/** A copy with local refs pointing into the registered document (and closed objects when strict). */
function prepare(node: unknown, strict: boolean): unknown {
  const copy = structuredClone(node);
  walk(copy, (object) => {
    if (typeof object.$ref === "string" && object.$ref.startsWith("#/")) {
      object.$ref = DOC_ID + object.$ref;
    }
    if (
      strict && typeof object.properties === "object" &&
      object.additionalProperties === undefined &&
      !("in" in object) // a parameter object, not a schema
    ) {
      object.additionalProperties = false;
    }
  });
  return copy;
}
