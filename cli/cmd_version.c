/* cli/cmd_version.c - `meshsim version [--json]`. */
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_version.h>
#include <jansson.h>
#include <nghttp2/nghttp2ver.h>
#include <openssl/crypto.h>
#include <sqlite3.h>
#include <yaml.h>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "common/build_info.h"

int cmd_version(int argc, char **argv)
{
	int as_json = argc > 1 && !strcmp(argv[1], "--json");
	if (argc > 1 && !as_json) {
		printf("usage: meshsim version [--json]\n");
		return strcmp(argv[1], "--help") ? EXIT_USAGE : EXIT_OK;
	}
	const char *compiler = __VERSION__;
	if (as_json) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s, s:s, s:s}}",
		                      "version", MESHSIM_VERSION, "git_rev", build_git_rev(),
		                      "build_flags", build_flags(), "compiler", compiler,
		                      "libraries", "gsl", GSL_VERSION, "sqlite", sqlite3_libversion(),
		                      "libyaml", yaml_get_version_string(), "jansson", JANSSON_VERSION,
		                      "openssl", OpenSSL_version(OPENSSL_VERSION), "nghttp2",
		                      NGHTTP2_VERSION);
		json_dumpf(o, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		putchar('\n');
		json_decref(o);
		return EXIT_OK;
	}
	printf("meshsim %s (git %s)\n", MESHSIM_VERSION, build_git_rev());
	printf("built with gcc %s, flags: %s\n", compiler, build_flags());
	printf("libraries: GSL %s, SQLite %s, libyaml %s, Jansson %s, %s, nghttp2 %s\n", GSL_VERSION,
	       sqlite3_libversion(), yaml_get_version_string(), JANSSON_VERSION,
	       OpenSSL_version(OPENSSL_VERSION), NGHTTP2_VERSION);
	return EXIT_OK;
}
