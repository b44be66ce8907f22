// JSON mapping: the one codec language, where a JSON value lives in XML, as mod_rest's util.datamapper schemas say (README "JSON mapping reference").

/** JSON type of a scalar schema value; `uint` is an integer ≥ 0 (a negative one reads as absent). */
export type ScalarType = "string" | "integer" | "uint" | "number" | "boolean";

/** A scalar kept in an attribute of the current element (`xml.attribute`). */
export interface AttrSpec {
  /** Where the value lives. */
  readonly at: "attr";
  /** JSON type. */
  readonly type: ScalarType;
  /** Attribute name when it differs from the JSON key. */
  readonly name?: string;
}

/** A scalar kept in the current element's own text (`xml.text`). */
export interface TextSpec {
  /** Where the value lives. */
  readonly at: "text";
  /** JSON type. */
  readonly type: ScalarType;
}

/** A scalar kept in the text of a child element (the datamapper default). */
export interface ChildSpec {
  /** Where the value lives. */
  readonly at: "child";
  /** JSON type. */
  readonly type: ScalarType;
  /** Element name when it differs from the JSON key. */
  readonly name?: string;
  /** Namespace; default: the parent's. */
  readonly ns?: string;
}

/** A scalar kept in one attribute of a child element (`xml.x_single_attribute`). */
export interface ChildAttrSpec {
  /** Where the value lives. */
  readonly at: "child-attr";
  /** JSON type. */
  readonly type: ScalarType;
  /** Element name when it differs from the JSON key. */
  readonly name?: string;
  /** Namespace; default: the parent's. */
  readonly ns?: string;
  /** The attribute. */
  readonly attr: string;
}

/** `true` when an empty child element is present (`xml.x_name_is_value`). */
export interface FlagSpec {
  /** Where the value lives. */
  readonly at: "flag";
  /** Element name when it differs from the JSON key. */
  readonly name?: string;
  /** Namespace; default: the parent's. */
  readonly ns?: string;
}

/** A JSON object kept in a child element. */
export interface ElementSpec {
  /** Where the value lives. */
  readonly at: "element";
  /** Element name when it differs from the JSON key. */
  readonly name?: string;
  /** Namespace; default: the parent's. */
  readonly ns?: string;
  /** The object's keys, in output order. */
  readonly props: Readonly<Record<string, PropSpec>>;
}

/** A JSON array whose items repeat as child elements, optionally inside a wrapper. */
export interface ListSpec {
  /** Where the value lives. */
  readonly at: "list";
  /** Each item: an object element, or a scalar in the text of an element. */
  readonly item: (ElementSpec | ChildSpec) & { readonly name: string };
  /** Wrapper element (`xml.wrapped`); without it items are direct children and an empty list is omitted on read. */
  readonly wrapper?: { readonly name: string; readonly ns?: string };
}

/** Any schema property. */
export type PropSpec =
  | AttrSpec
  | TextSpec
  | ChildSpec
  | ChildAttrSpec
  | FlagSpec
  | ElementSpec
  | ListSpec;
