/*
 * scenario/meshprofile.c - MeshProfile documents -> models/mesh_profile.h.
 *
 * The strict loader (loader.c) binds the document with the schema table
 * (schema.c: types, units, ranges, op keys, component references, `when`
 * words, frameworkShare sums); this file only converts the bound document
 * into the models' struct, finds the built-in profiles and frees them.
 */
#include "scenario/meshprofile.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/datadir.h"
#include "scenario/schema.h"
#include "scenario/units.h"

#define MESHES_DIR "configs/meshes"

static const char *const when_names[] = {
	"mtls",           "no-mtls",   "l7",        "no-l7",
	"http-parsing",   "no-http-parsing",        "wireguard", "same-node",
	"cross-node",     "new-connection",         "l4-policy", "l7-policy",
	"new-upstream",   "http1",     "http2",
};
_Static_assert(sizeof when_names / sizeof when_names[0] == 15, "one name per MP_WHEN_* bit");
_Static_assert(MP_WHEN_HTTP2 == 1u << 14, "when_names follows the MP_WHEN_* bits");
_Static_assert((int)SCN_LOAD_CANONICAL == (int)MP_LOAD_CANONICAL, "the same flag");

const char *mesh_profile_when_name(unsigned bit_index)
{
	return bit_index < sizeof when_names / sizeof when_names[0] ? when_names[bit_index] : NULL;
}

const char *mesh_profile_scope_name(mp_scope s)
{
	static const char *const n[] = {"pod", "node", "service-account", "namespace"};
	return (unsigned)s < 4 ? n[s] : "?";
}

const char *mesh_profile_side_name(mp_side s)
{
	static const char *const n[] = {"client", "server", "waypoint"};
	return (unsigned)s < 3 ? n[s] : "?";
}


void mesh_profile_free(mesh_profile *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->ncomponents; i++) {
		mp_component *c = &p->components[i];
		free(c->name);
		free(c->framework_per_request.source);
		free(c->framework_per_connection.source);
		free(c->wakeup_delay.source);
		free(c->memory_base.source);
		free(c->memory_per_connection.source);
		free(c->memory_per_config_object.source);
	}
	free(p->components);
	for (size_t i = 0; i < p->nhops; i++) {
		free(p->hops[i].name);
		free(p->hops[i].delay.source);
		free(p->hops[i].cpu.source);
		free(p->hops[i].ops);
	}
	free(p->hops);
	free(p->name);
	free(p->description);
	free(p);
}

/* ---------------------------------------------------------------- conversion */

static unsigned when_bits(char *const *words, size_t n)
{
	unsigned bits = 0;
	for (size_t i = 0; i < n; i++)
		for (unsigned b = 0; mesh_profile_when_name(b); b++)
			if (!strcmp(words[i], when_names[b]))
				bits |= 1u << b;
	return bits;
}

static mp_param param(const scn_mp_param *p)
{
	return (mp_param){(double)p->value, scn_xstrdup(p->source)};
}

static void convert_op(const scn_mp_op *in, mp_hop_op *out)
{
	out->when = when_bits(in->when, in->n_when);
	out->op.op = (cost_op)cost_op_from_name(in->op);
	out->op.count = in->count;
	out->op.parallel = in->parallel;
	out->op.size = 0;
	static const struct {
		const char *word;
		mp_size_ref ref;
	} words[] = {{"request", MP_SIZE_REQUEST}, {"response", MP_SIZE_RESPONSE},
		     {"message", MP_SIZE_MESSAGE}, {"l4Rules", MP_SIZE_L4_RULES},
		     {"l7Rules", MP_SIZE_L7_RULES}, {"packets", MP_SIZE_PACKETS},
		     {"segments", MP_SIZE_SEGMENTS}};
	out->op.size_ref = MP_SIZE_FIXED;
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (!strcmp(in->size, words[i].word))
			out->op.size_ref = words[i].ref;
	if (out->op.size_ref == MP_SIZE_PACKETS) {
		out->op.size = (uint64_t)in->packet_size;
		out->op.packet_overhead = (uint32_t)in->packet_overhead;
	}
	if (out->op.size_ref == MP_SIZE_FIXED && in->size[0]) {
		int64_t b = 0;
		char err[128];
		if (units_parse_bytes(in->size, &b, err, sizeof err) == 0 && b > 0)
			out->op.size = (uint64_t)b;
	}
}

static mesh_profile *convert(const scn_mp_doc *d)
{
	mesh_profile *p = scn_xcalloc(1, sizeof *p);
	const scn_mp_spec *sp = &d->spec;
	p->name = scn_xstrdup(d->metadata.name);
	p->mode = sp->mode;
	p->description = scn_xstrdup(sp->description);
	p->ncomponents = sp->n_components;
	p->components = scn_xcalloc(sp->n_components, sizeof *p->components);
	for (size_t i = 0; i < sp->n_components; i++) {
		const scn_mp_component *in = &sp->components[i];
		mp_component *c = &p->components[i];
		c->name = scn_xstrdup(in->name);
		c->scope = (mp_scope)in->scope;
		c->user_space = in->user_space;
		c->workers = (int)in->workers.value;
		c->workers_from_mesh = in->workers_from_mesh;
		c->framework_per_request = param(&in->framework_per_request);
		c->framework_per_connection = param(&in->framework_per_connection);
		c->wakeup_delay = param(&in->wakeup_delay);
		c->wakeup_exponential = in->wakeup_distribution == 1;
		c->memory_base = param(&in->memory.base);
		c->memory_per_connection = param(&in->memory.per_connection);
		c->memory_per_config_object = param(&in->memory.per_config_object);
		c->pools_upstream = in->pools_upstream;
		c->resumes_sessions = in->resumes_sessions;
	}
	p->nhops = sp->n_hops;
	p->hops = scn_xcalloc(sp->n_hops, sizeof *p->hops);
	for (size_t i = 0; i < sp->n_hops; i++) {
		const scn_mp_hop *in = &sp->hops[i];
		mp_hop *h = &p->hops[i];
		h->name = scn_xstrdup(in->name);
		h->direction = (mp_direction)in->direction;
		h->side = (mp_side)in->side;
		h->component = -1;
		for (size_t k = 0; k < sp->n_components; k++)
			if (in->component[0] && !strcmp(in->component, sp->components[k].name))
				h->component = (int)k;
		h->when = when_bits(in->when, in->n_when);
		h->framework_share = in->framework_share;
		h->delay.value = (double)in->delay.value;
		h->delay.source = in->delay.source ? scn_xstrdup(in->delay.source) : NULL;
		h->cpu.value = (double)in->cpu.value;
		h->cpu.source = in->cpu.value > 0 ? scn_xstrdup(in->cpu.source) : NULL;
		h->cpu_per = (mp_cpu_per)in->cpu_per;
		h->nops = in->n_ops;
		h->ops = scn_xcalloc(in->n_ops, sizeof *h->ops);
		for (size_t k = 0; k < in->n_ops; k++)
			convert_op(&in->ops[k], &h->ops[k]);
	}
	return p;
}

/* ---------------------------------------------------------------- entry points */

int mesh_profile_load_string(const char *name, const char *text, size_t len, unsigned flags,
			     const char *doc_name, mesh_profile **out, char **json,
			     char hash_hex[65], diag_list *errors)
{
	void *obj = NULL;
	if (out)
		*out = NULL;
	if (json)
		*json = NULL;
	if (hash_hex)
		hash_hex[0] = '\0';
	int rc = scn_load_kind_string(name, text, len, flags, "MeshProfile", doc_name, &obj,
				      errors);
	if (rc != SCN_OK)
		return rc;
	if (json && hash_hex) {
		const schema_kind *k = schema_find_kind("MeshProfile");
		if (scn_object_canonical_json(k->root, obj, json, hash_hex) != SCN_OK) {
			diag_add(errors, name, 0, 0, "", "internal error: cannot make the canonical "
				 "JSON of the mesh profile");
			scn_kind_free("MeshProfile", obj);
			return SCN_ESOFTWARE;
		}
	}
	if (out)
		*out = convert(obj);
	scn_kind_free("MeshProfile", obj);
	return SCN_OK;
}

static int load_file_flags(const char *path, unsigned flags, const char *doc_name,
			   mesh_profile **out, char **json, char hash_hex[65], diag_list *errors)
{
	char *text;
	size_t len;
	if (out)
		*out = NULL;
	if (json)
		*json = NULL;
	int rc = scn_read_file(path, &text, &len, errors);
	if (rc != SCN_OK)
		return rc;
	rc = mesh_profile_load_string(path, text, len, flags, doc_name, out, json, hash_hex, errors);
	free(text);
	return rc;
}

int mesh_profile_load_file(const char *path, const char *doc_name, mesh_profile **out,
			   char **json, char hash_hex[65], diag_list *errors)
{
	return load_file_flags(path, 0, doc_name, out, json, hash_hex, errors);
}

int mesh_profile_load(const char *path, mesh_profile **out, diag_list *errors)
{
	return mesh_profile_load_file(path, NULL, out, NULL, NULL, errors);
}

/* configs/meshes/<file>: datadir, $MESHSIM_DATADIR, the working directory,
 * then the executable's ancestors (common/datadir.h). */
static int find_in_datadirs(const char *file, const char *datadir, char *buf, size_t size)
{
	char rel[256];
	if (snprintf(rel, sizeof rel, "%s/%s", MESHES_DIR, file) >= (int)sizeof rel)
		return -1;
	return datadir_find(rel, datadir, buf, size);
}

int mesh_profile_find_builtin(int mode, const char *datadir_or_NULL, char *buf, size_t size)
{
	const char *m = scn_mesh_mode_name((scn_mesh_mode)mode);
	if (!strcmp(m, "?") || size == 0)
		return -1;
	char file[96];
	snprintf(file, sizeof file, "%s.yaml", m);
	return find_in_datadirs(file, datadir_or_NULL, buf, size);
}

int mesh_profile_load_builtin(int mode, const char *datadir_or_NULL, mesh_profile **out,
			      diag_list *errors)
{
	char path[PATH_MAX + 64];
	*out = NULL;
	if (mesh_profile_find_builtin(mode, datadir_or_NULL, path, sizeof path) != 0) {
		diag_add(errors, "", 0, 0, "", "built-in mesh profile %s/%s.yaml not found (in the "
			 "data directory, $MESHSIM_DATADIR, the working directory or next to the "
			 "executable)", MESHES_DIR, scn_mesh_mode_name((scn_mesh_mode)mode));
		return SCN_ENOINPUT;
	}
	return mesh_profile_load(path, out, errors);
}

/* An error about the scenario's spec.mesh.profile, at its position. */
static void profile_field_error(diag_list *errors, const char *scenario_path,
				const char *const *overrides, size_t noverrides, const char *msg)
{
	const char *src = scenario_path ? scenario_path : "";
	int line = 0, col = 0;
	char set[256];
	if (scenario_path) {
		scenario_field_position(scenario_path, overrides, noverrides, "spec.mesh.profile",
					&src, &line, &col);
		if (src != scenario_path) {
			/* set by an override: named as scenario_load names it */
			snprintf(set, sizeof set, "--set %.240s", src);
			src = set;
		}
	}
	diag_add(errors, src, line, col, "spec.mesh.profile", "%s", msg);
}

int mesh_profile_load_for_scenario(const scenario *s, const char *scenario_path,
				   const char *const *overrides, size_t noverrides,
				   const char *datadir_or_NULL, mesh_profile **out,
				   diag_list *errors)
{
	const scn_mesh *m = &s->spec.mesh;
	const char *prof = m->profile ? m->profile : "";
	char path[PATH_MAX + 64];
	int rc;
	*out = NULL;
	if (!prof[0]) {
		rc = mesh_profile_load_builtin(m->mode, datadir_or_NULL, out, errors);
	} else {
		size_t pl = strlen(prof);
		bool is_path = strchr(prof, '/') || (pl > 5 && !strcmp(prof + pl - 5, ".yaml"));
		rc = -1;
		if (!is_path && scenario_path) {
			/* a MeshProfile document of the scenario's own file? */
			diag_list tmp = {0};
			mesh_profile *p = NULL;
			int r = load_file_flags(scenario_path, SCN_LOAD_ONLY_KIND, prof, &p, NULL, NULL,
						&tmp);
			bool absent = r == SCN_EDATA && tmp.n == 1 && tmp.items[0].line == 0 &&
				      strstr(tmp.items[0].msg, "no MeshProfile document named");
			if (!absent) {
				for (size_t i = 0; i < tmp.n; i++)
					diag_add(errors, tmp.items[i].file, tmp.items[i].line,
						 tmp.items[i].col, tmp.items[i].path, "%s",
						 tmp.items[i].msg);
				*out = p;
				rc = r;
			}
			diag_list_free(&tmp);
		}
		if (rc == -1 && is_path) {
			const char *slash = scenario_path ? strrchr(scenario_path, '/') : NULL;
			if (prof[0] != '/' && slash)
				snprintf(path, sizeof path, "%.*s/%s", (int)(slash - scenario_path),
					 scenario_path, prof);
			else
				snprintf(path, sizeof path, "%s", prof);
			if (access(path, F_OK) != 0) {
				/* as a name found nowhere: the scenario's bad value */
				char msg[PATH_MAX + 128];
				snprintf(msg, sizeof msg, "mesh profile file %s not found", path);
				profile_field_error(errors, scenario_path, overrides, noverrides, msg);
				return SCN_EDATA;
			}
			rc = mesh_profile_load(path, out, errors);
		} else if (rc == -1) {
			char file[96];
			snprintf(file, sizeof file, "%.80s.yaml", prof);
			if (find_in_datadirs(file, datadir_or_NULL, path, sizeof path) != 0) {
				char msg[512];
				snprintf(msg, sizeof msg, "mesh profile \"%s\" not found (no "
					 "MeshProfile document of that name in the file, no %s/%s)",
					 prof, MESHES_DIR, file);
				profile_field_error(errors, scenario_path, overrides, noverrides, msg);
				return SCN_EDATA;
			}
			rc = mesh_profile_load(path, out, errors);
		}
	}
	if (rc == SCN_OK && (*out)->mode != (int)m->mode) {
		char msg[512];
		snprintf(msg, sizeof msg, "mesh profile \"%s\" is for mode %s, but spec.mesh.mode "
			 "is %s", (*out)->name, scn_mesh_mode_name((scn_mesh_mode)(*out)->mode),
			 scn_mesh_mode_name(m->mode));
		profile_field_error(errors, scenario_path, overrides, noverrides, msg);
		mesh_profile_free(*out);
		*out = NULL;
		return SCN_EDATA;
	}
	return rc;
}
