/*
 * tests/scenario/test_schema.c - the schema table itself: every default,
 * bound and enum is well formed, names are unique, storage fits its struct,
 * and a JSON Schema can be made of every kind.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "scenario/jsonschema.h"
#include "scenario/scenario.h"
#include "scenario/meshprofile.h"
#include "scenario/schema.h"
#include "scenario/units.h"

/* Parses text as a value of f's type into a double (for comparisons). */
static int parse_as(const schema_field *f, const char *text, double *out)
{
	char err[256];
	int64_t i;
	switch (f->type) {
	case ST_INT:
		if (units_parse_int(text, &i, err, sizeof err))
			return -1;
		*out = (double)i;
		return 0;
	case ST_NUMBER: return units_parse_number(text, out, err, sizeof err);
	case ST_DURATION:
		if (units_parse_duration(text, &i, err, sizeof err))
			return -1;
		*out = (double)i;
		return 0;
	case ST_BYTES:
		if (units_parse_bytes(text, &i, err, sizeof err))
			return -1;
		*out = (double)i;
		return 0;
	case ST_CPU: return units_parse_cpu(text, out, err, sizeof err);
	case ST_RATE: return units_parse_rate(text, out, err, sizeof err);
	case ST_BITRATE: return units_parse_bitrate(text, out, err, sizeof err);
	case ST_LIST:
	case ST_STRINGS: return units_parse_number(text, out, err, sizeof err);
	case ST_BOOL:
		*out = 0;
		return strcmp(text, "true") && strcmp(text, "false") ? -1 : 0;
	case ST_ENUM:
		for (int k = 0; f->enum_values[k]; k++)
			if (!strcmp(f->enum_values[k], text))
				return 0;
		return -1;
	default: return 0;
	}
}

static size_t storage_size(schema_type t)
{
	switch (t) {
	case ST_STRING: return sizeof(char *);
	case ST_ENUM: return sizeof(int);
	case ST_BOOL: return sizeof(bool);
	case ST_INT:
	case ST_DURATION:
	case ST_BYTES: return sizeof(int64_t);
	case ST_NUMBER:
	case ST_CPU:
	case ST_RATE:
	case ST_BITRATE: return sizeof(double);
	default: return sizeof(void *);
	}
}

static int check_object(const schema_object *o, size_t *nfields)
{
	int bad = 0;
	for (size_t i = 0; i < o->nfields; i++) {
		const schema_field *f = &o->fields[i];
		(*nfields)++;
#define BAD(...)                                                         \
	do {                                                             \
		fprintf(stderr, "%s.%s: ", o->name, f->name);            \
		fprintf(stderr, __VA_ARGS__);                            \
		fprintf(stderr, "\n");                                   \
		bad++;                                                   \
	} while (0)
		for (size_t j = 0; j < i; j++)
			if (!strcmp(o->fields[j].name, f->name))
				BAD("duplicate field name");
		if (!f->doc || !f->doc[0])
			BAD("no documentation");
		if ((f->flags & SF_REQUIRED) && f->def)
			BAD("required and defaulted");
		if ((f->type == ST_ENUM) != false && !f->enum_values)
			BAD("enum without values");
		if ((f->type == ST_OBJECT || f->type == ST_LIST) != (f->child != NULL))
			BAD("child table mismatch");
		if ((f->flags & SF_NAME) && f->type != ST_STRING)
			BAD("a name must be a string");
		if (f->ref != REF_NONE && f->type != ST_STRING)
			BAD("a reference must be a string");
		if (o->size) {
			size_t end = f->offset + (f->type == ST_OBJECT ? f->child->size
								      : storage_size(f->type));
			if (end > o->size)
				BAD("storage beyond the struct");
			if ((f->type == ST_LIST || f->type == ST_LABELS || f->type == ST_STRINGS) &&
			    f->count_offset + sizeof(size_t) > o->size)
				BAD("count beyond the struct");
			if (f->child && !f->child->size)
				BAD("stored object with a validate-only child");
		}
		double d, lo = 0, hi = 0;
		if (f->def && parse_as(f, f->def, &d))
			BAD("default \"%s\" does not parse", f->def);
		if (f->min && parse_as(f, f->min, &lo))
			BAD("min \"%s\" does not parse", f->min);
		if (f->max && parse_as(f, f->max, &hi))
			BAD("max \"%s\" does not parse", f->max);
		if (f->min && f->max && lo > hi)
			BAD("min > max");
		if (f->def && f->min && !parse_as(f, f->def, &d) && d < lo)
			BAD("default below min");
		if (f->def && f->max && !parse_as(f, f->def, &d) && d > hi)
			BAD("default above max");
		if (f->child)
			bad += check_object(f->child, nfields);
#undef BAD
	}
	return bad;
}

static void test_table(void **state)
{
	(void)state;
	size_t nkinds = 0, nfields = 0;
	int bad = 0;
	for (const schema_kind *k = schema_kinds; k->kind; k++, nkinds++) {
		assert_ptr_equal(schema_find_kind(k->kind), k);
		assert_non_null(schema_find_field(k->root, "apiVersion"));
		assert_non_null(schema_find_field(k->root, "spec"));
		bad += check_object(k->root, &nfields);
	}
	assert_int_equal(nkinds, 4);
	assert_true(nfields > 100);
	assert_int_equal(bad, 0);
	assert_null(schema_find_kind("Nope"));
	assert_int_equal(schema_find_kind("Scenario")->size, sizeof(scenario));
	assert_int_equal(schema_find_kind("MeshProfile")->size, sizeof(scn_mp_doc));
}

static void test_enum_names(void **state)
{
	(void)state;
	assert_string_equal(scn_mesh_mode_name(SCN_MESH_ISTIO_AMBIENT), "istio-ambient");
	assert_string_equal(scn_mesh_mode_name(SCN_MESH_LINKERD), "linkerd");
	assert_string_equal(scn_workload_type_name(SCN_WL_CONSTANT_THROUGHPUT),
			    "constant-throughput");
	assert_string_equal(scn_workload_type_name(SCN_WL_CONNECTION_PER_REQUEST),
			    "connection-per-request");
	assert_string_equal(scn_mesh_mode_name((scn_mesh_mode)99), "?");
}

static void test_json_schema(void **state)
{
	(void)state;
	for (const schema_kind *k = schema_kinds; k->kind; k++) {
		json_t *js = schema_to_json_schema(k);
		assert_non_null(js);
		json_t *kind = json_object_get(json_object_get(js, "properties"), "kind");
		assert_string_equal(json_string_value(json_object_get(kind, "const")), k->kind);
		assert_true(json_is_false(json_object_get(js, "additionalProperties")));
		json_decref(js);
	}
	json_t *js = schema_to_json_schema(schema_find_kind("Scenario"));
	json_t *spec = json_object_get(json_object_get(js, "properties"), "spec");
	json_t *req = json_object_get(spec, "required");
	assert_true(json_is_array(req));
	assert_string_equal(json_string_value(json_array_get(req, 0)), "cluster");
	json_t *seed = json_object_get(json_object_get(spec, "properties"), "seed");
	assert_string_equal(json_string_value(json_object_get(seed, "type")), "integer");
	assert_int_equal(json_integer_value(json_object_get(seed, "default")), 1);
	json_decref(js);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_enum_names),
		cmocka_unit_test(test_json_schema),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
