/*
 * cli/cmd_explain.c - `meshsim explain KIND[.FIELD...] [--recursive]`
 *
 * kubectl-explain-style documentation of a field and its children, printed
 * from the same schema table the loader validates with (scenario/schema.c):
 * type, unit, default, range, allowed values and description.
 *
 *   meshsim explain                         the kinds
 *   meshsim explain Scenario                the top level of a Scenario
 *   meshsim explain Scenario.spec.workloads one field and its fields
 *   meshsim explain Scenario.spec --recursive   the whole tree of field names
 *   meshsim explain Scenario --json-schema      a JSON Schema for editors
 *
 * Exit status: 0, or 2 for an unknown kind or field.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "scenario/scenario.h"
#include "scenario/jsonschema.h"
#include "scenario/schema.h"

/* Prints text wrapped at 78 columns with the given indent. */
static void wrap(const char *text, int indent)
{
	const int width = 78;
	int col = 0;
	const char *p = text;
	while (*p) {
		while (*p == ' ')
			p++;
		size_t w = strcspn(p, " ");
		if (w == 0)
			break;
		if (col > 0 && col + 1 + (int)w > width) {
			putchar('\n');
			col = 0;
		}
		if (col == 0) {
			printf("%*s", indent, "");
			col = indent;
		} else {
			putchar(' ');
			col++;
		}
		printf("%.*s", (int)w, p);
		col += (int)w;
		p += w;
	}
	if (col > 0)
		putchar('\n');
}

static void field_facts(const schema_field *f, char *buf, size_t size)
{
	size_t n = 0;
	buf[0] = '\0';
#define ADD(...) n += (size_t)snprintf(buf + n, n < size ? size - n : 0, __VA_ARGS__)
	const char *unit = schema_type_unit(f->type);
	if (unit[0])
		ADD("Unit: %s.\n", unit);
	if (f->enum_values) {
		ADD("One of: ");
		for (int i = 0; f->enum_values[i]; i++)
			ADD("%s%s", i ? ", " : "", f->enum_values[i]);
		ADD(".\n");
	}
	bool is_list = f->type == ST_LIST || f->type == ST_STRINGS;
	if (f->def)
		ADD("Default: %s.\n", f->def);
	else if (!(f->flags & SF_REQUIRED) && f->type == ST_STRING)
		ADD("Default: \"\".\n");
	else if (!(f->flags & SF_REQUIRED) && (is_list || f->type == ST_LABELS))
		ADD("Default: empty.\n");
	if (f->min && f->max)
		ADD("Range: %s to %s.\n", f->min, f->max);
	else if (f->min && is_list)
		ADD("At least %s item(s).\n", f->min);
	else if (f->min)
		ADD("Minimum: %s.\n", f->min);
	else if (f->max)
		ADD("Maximum: %s.\n", f->max);
	if (f->ref != REF_NONE && (f->flags & SF_NAME))
		ADD("Defines a %s name (unique).\n", schema_ref_name(f->ref));
	else if (f->ref != REF_NONE)
		ADD("Refers to a %s by name.\n", schema_ref_name(f->ref));
	else if (f->flags & SF_NAME)
		ADD("A name: lowercase letters, digits and '-'.\n");
#undef ADD
	if (n > 0 && n < size)
		buf[n - 1] = '\0'; /* the last newline */
}

/* Prints facts one per line, each wrapped. */
static void print_facts(const schema_field *f)
{
	char facts[1024];
	field_facts(f, facts, sizeof facts);
	char *save = NULL;
	for (char *line = strtok_r(facts, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		wrap(line, 5);
}

static void print_field_entry(const schema_field *f)
{
	printf("   %s\t<%s>%s\n", f->name, schema_type_name(f),
	       (f->flags & SF_REQUIRED) ? " -required-" : "");
	wrap(f->doc ? f->doc : "", 5);
	print_facts(f);
	putchar('\n');
}

static void print_fields(const schema_object *o)
{
	printf("FIELDS:\n");
	for (size_t i = 0; i < o->nfields; i++)
		print_field_entry(&o->fields[i]);
}

static void print_tree(const schema_object *o, int depth)
{
	for (size_t i = 0; i < o->nfields; i++) {
		const schema_field *f = &o->fields[i];
		printf("%*s%s\t<%s>%s\n", 3 * depth + 3, "", f->name, schema_type_name(f),
		       (f->flags & SF_REQUIRED) ? " -required-" : "");
		if (f->child)
			print_tree(f->child, depth + 1);
	}
}

static void list_kinds(void)
{
	printf("Document kinds (apiVersion: %s):\n\n", SCN_API_VERSION);
	for (const schema_kind *k = schema_kinds; k->kind; k++) {
		printf("   %s\n", k->kind);
		wrap(k->doc, 5);
		putchar('\n');
	}
	printf("Use `meshsim explain KIND[.FIELD...]`, e.g. meshsim explain Scenario.spec.workloads\n");
}

static void usage(FILE *out)
{
	fprintf(out, "usage: meshsim explain [KIND[.FIELD...]] [--recursive] [--json-schema]\n"
		     "\n"
		     "Documents the fields of a meshsim document: type, unit, default, range.\n"
		     "  -r, --recursive   also every field below the path\n"
		     "  --json-schema     print a JSON Schema of KIND (for editors and linters)\n"
		     "\n"
		     "examples:\n"
		     "  meshsim explain Scenario\n"
		     "  meshsim explain Scenario.spec.workloads\n"
		     "  meshsim explain Scenario.spec --recursive\n"
		     "  meshsim explain Scenario --json-schema > scenario.schema.json\n");
}

int cmd_explain(int argc, char **argv)
{
	const char *path = NULL;
	bool recursive = false, json_schema = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return EXIT_OK;
		} else if (!strcmp(argv[i], "--recursive") || !strcmp(argv[i], "-r")) {
			recursive = true;
		} else if (!strcmp(argv[i], "--json-schema")) {
			json_schema = true;
		} else if (argv[i][0] == '-' || path) {
			fprintf(stderr, "meshsim explain: unexpected argument %s\n", argv[i]);
			usage(stderr);
			return EXIT_USAGE;
		} else {
			path = argv[i];
		}
	}
	if (!path) {
		list_kinds();
		return EXIT_OK;
	}

	/* Split "Kind.a.b[0].c" into words, dropping list indexes. */
	char buf[512];
	snprintf(buf, sizeof buf, "%s", path);
	for (char *p = buf; (p = strchr(p, '[')) != NULL;) {
		char *e = strchr(p, ']');
		if (!e)
			break;
		memmove(p, e + 1, strlen(e + 1) + 1);
	}
	char *save = NULL;
	char *word = strtok_r(buf, ".", &save);
	const schema_kind *kind = NULL;
	for (const schema_kind *k = schema_kinds; word && k->kind; k++)
		if (!strcasecmp(k->kind, word))
			kind = k;
	if (!kind) {
		fprintf(stderr, "meshsim explain: unknown kind \"%s\" (Scenario, Sweep, MeshProfile, "
			"PriceSheet)\n", word ? word : "");
		return EXIT_USAGE;
	}

	if (json_schema) {
		if (strtok_r(NULL, ".", &save)) {
			fprintf(stderr, "meshsim explain: --json-schema takes a kind only\n");
			return EXIT_USAGE;
		}
		json_t *js = schema_to_json_schema(kind);
		char *text = js ? json_dumps(js, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
		json_decref(js);
		if (!text)
			return EXIT_SOFTWARE;
		printf("%s\n", text);
		free(text);
		return EXIT_OK;
	}

	const schema_object *obj = kind->root;
	const schema_field *field = NULL;
	char walked[512];
	snprintf(walked, sizeof walked, "%s", kind->kind);
	while ((word = strtok_r(NULL, ".", &save)) != NULL) {
		if (!obj) {
			fprintf(stderr, "meshsim explain: %s is a %s and has no field \"%s\"\n", walked,
				schema_type_name(field), word);
			return EXIT_USAGE;
		}
		field = schema_find_field(obj, word);
		if (!field) {
			fprintf(stderr, "meshsim explain: %s has no field \"%s\"; its fields are:",
				walked, word);
			for (size_t i = 0; i < obj->nfields; i++)
				fprintf(stderr, "%s %s", i ? "," : "", obj->fields[i].name);
			fprintf(stderr, "\n");
			return EXIT_USAGE;
		}
		size_t l = strlen(walked);
		snprintf(walked + l, sizeof walked - l, ".%s", word);
		obj = field->child;
	}

	printf("KIND:     %s\nVERSION:  %s\n\n", kind->kind, SCN_API_VERSION);
	if (field) {
		printf("FIELD:    %s <%s>%s\n\n", strchr(walked, '.') + 1, schema_type_name(field),
		       (field->flags & SF_REQUIRED) ? " -required-" : "");
		printf("DESCRIPTION:\n");
		wrap(field->doc ? field->doc : "", 5);
		if (obj && obj->doc)
			wrap(obj->doc, 5);
		print_facts(field);
		putchar('\n');
	} else {
		printf("DESCRIPTION:\n");
		wrap(kind->doc, 5);
		putchar('\n');
	}
	if (obj) {
		if (recursive) {
			printf("FIELDS:\n");
			print_tree(obj, 0);
		} else {
			print_fields(obj);
		}
	}
	return EXIT_OK;
}
