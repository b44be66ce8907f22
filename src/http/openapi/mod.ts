// Entry point of the API description: the OpenAPI 3.1 document and the handler serving it at /rest/openapi.json.

import { buildOpenApiDocument, OPENAPI_MEDIA_TYPE } from "./document.ts";
import type { OpenApiDocument } from "./types.ts";

export { buildOpenApiDocument, OPENAPI_MEDIA_TYPE } from "./document.ts";
export {
  OPENAPI_PATH,
  OPERATIONAL_METHODS,
  OPERATIONAL_PATHS,
} from "./paths.ts";
export type { JsonSchema, OpenApiDocument, OpenApiObject } from "./types.ts";

let cached: { document: OpenApiDocument; body: string } | undefined;

function built(): { document: OpenApiDocument; body: string } {
  if (cached === undefined) {
    const document = buildOpenApiDocument();
    cached = { document, body: JSON.stringify(document) };
  }
  return cached;
}

/**
 * The API description, built once and shared (do not modify it).
 *
 * @example
 * ```ts
 * openApiDocument().openapi; // "3.1.0"
 * ```
 */
export function openApiDocument(): OpenApiDocument {
  return built().document;
}

/**
 * Serves the API description: `GET` gets the JSON document, `HEAD` its
 * headers; `Cache-Control: public, max-age=300`. No credentials needed.
 *
 * @example
 * ```ts
 * const res = openApiResponse(new Request("http://gw/rest/openapi.json"));
 * await res.json(); // { openapi: "3.1.0", ... }
 * ```
 */
export function openApiResponse(request: Request): Response {
  const { body } = built();
  return new Response(request.method === "HEAD" ? null : body, {
    status: 200,
    headers: {
      "Content-Type": OPENAPI_MEDIA_TYPE,
      "Cache-Control": "public, max-age=300",
    },
  });
}
