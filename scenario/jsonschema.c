/* scenario/jsonschema.c - JSON Schema from the schema table (see jsonschema.h). */
#include "scenario/jsonschema.h"

#include <stdlib.h>
#include <string.h>

#include "scenario/scenario.h"

#define NUM "([0-9]+(\\.[0-9]*)?|\\.[0-9]+)"
static const char *const unit_patterns[] = {
	[ST_DURATION] = "^[+-]?(" NUM "|(" NUM "(ns|us|\u00b5s|\u03bcs|ms|s|m|h))+)$",
	[ST_CPU] = "^[+-]?" NUM "([eE][+-]?[0-9]+)?m?$",
	[ST_BYTES] = "^[+-]?" NUM "([eE][+-]?[0-9]+)?(k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$",
	[ST_RATE] = "^[+-]?" NUM "([eE][+-]?[0-9]+)?(/(s|ms|us|m|min|h))?$",
	[ST_BITRATE] = "^[+-]?" NUM "([eE][+-]?[0-9]+)?(k|M|G|T)?(bps|bit/s)?$",
};

static json_t *object_schema(const schema_object *o);

/* A JSON value for a default or bound of a plain numeric field. */
static json_t *number_value(schema_type t, const char *text)
{
	char *end;
	if (t == ST_INT) {
		long long v = strtoll(text, &end, 10);
		return *end ? NULL : json_integer(v);
	}
	double d = strtod(text, &end);
	return *end ? NULL : json_real(d);
}

static json_t *field_schema(const schema_field *f)
{
	json_t *s = NULL;
	switch (f->type) {
	case ST_STRING:
	case ST_ENUM:
		s = json_pack("{s:s}", "type", "string");
		if (f->enum_values) {
			json_t *e = json_array();
			for (int i = 0; f->enum_values[i]; i++)
				json_array_append_new(e, json_string(f->enum_values[i]));
			json_object_set_new(s, "enum", e);
		}
		if (f->flags & SF_NAME) {
			json_object_set_new(s, "pattern",
					    json_string("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"));
			json_object_set_new(s, "maxLength", json_integer(63));
		}
		if (f->def)
			json_object_set_new(s, "default", json_string(f->def));
		break;
	case ST_BOOL:
		s = json_pack("{s:s}", "type", "boolean");
		if (f->def)
			json_object_set_new(s, "default", json_boolean(!strcmp(f->def, "true")));
		break;
	case ST_INT:
	case ST_NUMBER:
		s = json_pack("{s:s}", "type", f->type == ST_INT ? "integer" : "number");
		if (f->min)
			json_object_set_new(s, "minimum", number_value(f->type, f->min));
		if (f->max)
			json_object_set_new(s, "maximum", number_value(f->type, f->max));
		if (f->def)
			json_object_set_new(s, "default", number_value(f->type, f->def));
		break;
	case ST_DURATION:
	case ST_CPU:
	case ST_BYTES:
	case ST_RATE:
	case ST_BITRATE:
		s = json_pack("{s:[{s:s}, {s:s, s:s}]}", "anyOf", "type",
			      f->type == ST_BYTES ? "integer" : "number", "type", "string", "pattern",
			      unit_patterns[f->type]);
		if (f->def)
			json_object_set_new(s, "default", json_string(f->def));
		break;
	case ST_LABELS:
		s = json_pack("{s:s, s:{s:s}}", "type", "object", "additionalProperties", "type",
			      "string");
		break;
	case ST_STRINGS:
		s = json_pack("{s:s, s:{s:[s,s,s]}}", "type", "array", "items", "type", "string",
			      "number", "boolean");
		if (f->min)
			json_object_set_new(s, "minItems", json_integer(atoi(f->min)));
		break;
	case ST_OBJECT:
		s = object_schema(f->child);
		break;
	case ST_LIST:
		s = json_pack("{s:s, s:o}", "type", "array", "items", object_schema(f->child));
		if (s && f->min)
			json_object_set_new(s, "minItems", json_integer(atoi(f->min)));
		break;
	}
	if (!s)
		return NULL;
	char desc[1024];
	const char *unit = schema_type_unit(f->type);
	snprintf(desc, sizeof desc, "%s%s%s%s%s%s%s", f->doc ? f->doc : "", unit[0] ? " Unit: " : "",
		 unit, f->min ? " Minimum: " : "", f->min ? f->min : "", f->max ? ". Maximum: " : "",
		 f->max ? f->max : "");
	json_object_set_new(s, "description", json_string(desc));
	return s;
}

static json_t *object_schema(const schema_object *o)
{
	json_t *props = json_object(), *req = json_array();
	for (size_t i = 0; i < o->nfields; i++) {
		const schema_field *f = &o->fields[i];
		json_t *fs = field_schema(f);
		if (fs)
			json_object_set_new(props, f->name, fs);
		if (f->flags & SF_REQUIRED)
			json_array_append_new(req, json_string(f->name));
	}
	json_t *s = json_pack("{s:s, s:s, s:s, s:b, s:o}", "type", "object", "title", o->name,
			      "description", o->doc ? o->doc : "", "additionalProperties", 0,
			      "properties", props);
	if (s && json_array_size(req) > 0)
		json_object_set_new(s, "required", req);
	else
		json_decref(req);
	return s;
}

json_t *schema_to_json_schema(const schema_kind *k)
{
	json_t *s = object_schema(k->root);
	if (!s)
		return NULL;
	json_object_set_new(s, "$schema", json_string("http://json-schema.org/draft-07/schema#"));
	json_t *props = json_object_get(s, "properties");
	json_object_set_new(json_object_get(props, "kind"), "const", json_string(k->kind));
	return s;
}
