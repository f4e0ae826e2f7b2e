/*
 * scenario/jsonschema.h - a JSON Schema (draft-07) of a document kind, made
 * from the schema table, for editors (yaml-language-server) and
 * python3-jsonschema users. It checks shapes, types, enums, names and unit
 * syntax; ranges of unit values, references and cross-field rules are only
 * checked by the loader (`meshsim validate`).
 */
#ifndef MESHSIM_SCENARIO_JSONSCHEMA_H
#define MESHSIM_SCENARIO_JSONSCHEMA_H

#include <jansson.h>

#include "scenario/schema.h"

/* A new reference to the schema of kind k, or NULL if out of memory. */
json_t *schema_to_json_schema(const schema_kind *k);

#endif
