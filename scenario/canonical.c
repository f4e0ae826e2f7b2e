/*
 * scenario/canonical.c - the resolved scenario as canonical JSON + SHA-256.
 *
 * The JSON is built by walking the schema table over the bound struct, so it
 * has every field (defaults included) in base units: durations and sizes as
 * integers (ns, bytes), cpu and rates as numbers (cores, per second), enums
 * as strings. Jansson sorts the keys and prints compactly; reals use 17
 * significant digits, so they read back to the same double.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>

#include "scenario/scenario.h"
#include "scenario/schema.h"

static json_t *object_json(const schema_object *o, const void *base);

static json_t *field_json(const schema_field *f, const void *base)
{
	const char *p = (const char *)base + f->offset;
	switch (f->type) {
	case ST_STRING: return json_string(*(char *const *)p);
	case ST_ENUM: return json_string(f->enum_values[*(const int *)p]);
	case ST_BOOL: return json_boolean(*(const bool *)p);
	case ST_INT:
	case ST_DURATION:
	case ST_BYTES: return json_integer((json_int_t)*(const int64_t *)p);
	case ST_NUMBER:
	case ST_CPU:
	case ST_RATE:
	case ST_BITRATE: return json_real(*(const double *)p);
	case ST_OBJECT: return object_json(f->child, p);
	case ST_LIST: {
		const char *items = *(char *const *)p;
		size_t n = *(const size_t *)((const char *)base + f->count_offset);
		json_t *a = json_array();
		for (size_t i = 0; a && i < n; i++)
			if (json_array_append_new(a, object_json(f->child, items + i * f->child->size)))
				goto fail_array;
		return a;
	fail_array:
		json_decref(a);
		return NULL;
	}
	case ST_LABELS: {
		const scn_label *l = *(scn_label *const *)p;
		size_t n = *(const size_t *)((const char *)base + f->count_offset);
		json_t *m = json_object();
		for (size_t i = 0; m && i < n; i++)
			if (json_object_set_new(m, l[i].key, json_string(l[i].value))) {
				json_decref(m);
				return NULL;
			}
		return m;
	}
	case ST_STRINGS: {
		char *const *s = *(char *const *const *)p;
		size_t n = *(const size_t *)((const char *)base + f->count_offset);
		json_t *a = json_array();
		for (size_t i = 0; a && i < n; i++)
			if (json_array_append_new(a, json_string(s[i]))) {
				json_decref(a);
				return NULL;
			}
		return a;
	}
	}
	return NULL;
}

static json_t *object_json(const schema_object *o, const void *base)
{
	json_t *obj = json_object();
	for (size_t i = 0; obj && i < o->nfields; i++) {
		json_t *v = field_json(&o->fields[i], base);
		if (!v || json_object_set_new(obj, o->fields[i].name, v)) {
			json_decref(obj);
			return NULL;
		}
	}
	return obj;
}

int scenario_canonical_json(const scenario *s, char **json, char hash_hex[65])
{
	return scn_object_canonical_json(schema_find_kind("Scenario")->root, s, json, hash_hex);
}

int scn_object_canonical_json(const schema_object *o, const void *base, char **json,
			      char hash_hex[65])
{
	*json = NULL;
	hash_hex[0] = '\0';
	json_t *root = object_json(o, base);
	if (!root)
		return SCN_ESOFTWARE;
	char *text = json_dumps(root, JSON_SORT_KEYS | JSON_COMPACT | JSON_REAL_PRECISION(17));
	json_decref(root);
	if (!text)
		return SCN_ESOFTWARE;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	if (!EVP_Digest(text, strlen(text), md, &mdlen, EVP_sha256(), NULL) || mdlen != 32) {
		free(text);
		return SCN_ESOFTWARE;
	}
	for (unsigned int i = 0; i < mdlen; i++)
		snprintf(hash_hex + 2 * i, 3, "%02x", md[i]);
	*json = text;
	return SCN_OK;
}
