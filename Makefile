# meshsim build. `make demo` and `make test` work from a fresh Debian 12
# machine: both install the packages first (make deps, a no-op when present).
#
# Sources are found by folder, so a new module needs no Makefile edit:
#   common/ sim/ models/ models/kernels/ workloads/ scenario/ runner/ db/ -> build/libmeshsim.a
#   cli/*.c                                               -> build/meshsim
#   tests/**/test_*.c (cmocka)                            -> build/tests/**/test_*
#   tests/e2e/*.sh (run the real binary)
#   bench/*.c                                             -> build/bench/*

CC      ?= cc
PKGS    := gsl sqlite3 yaml-0.1 jansson libssl libcrypto libnghttp2 libpcre2-8
OPT     ?= -O2
WARN    := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
ifeq ($(CI),true)
WARN    += -Werror
endif
ifeq ($(WERROR),1)
WARN    += -Werror
endif
CFLAGS  ?= $(OPT) -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) -I. $(PKG_CFLAGS)
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lhttp_parser -lm
GIT_REV := $(shell git describe --always --dirty 2>/dev/null || echo unknown)

B       ?= build
LIB_DIRS := common sim models models/kernels workloads scenario runner db
LIB_SRC  := $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.c))
CLI_SRC  := $(wildcard cli/*.c)
TEST_SRC := $(shell find tests -name 'test_*.c' 2>/dev/null | sort)
BENCH_SRC := $(wildcard bench/*.c)

LIB_OBJ   := $(LIB_SRC:%.c=$(B)/%.o)
CLI_OBJ   := $(CLI_SRC:%.c=$(B)/%.o)
TEST_BIN  := $(TEST_SRC:%.c=$(B)/%)
BENCH_BIN := $(BENCH_SRC:%.c=$(B)/%)
MESHSIM   := $(B)/meshsim

.PHONY: all deps build demo test unit e2e check bench valgrind clean calibration calibration-report FORCE \
	meshes-doc
.DEFAULT_GOAL := all

all: $(MESHSIM) $(TEST_BIN) $(BENCH_BIN)

deps:
	@./tools/deps.sh

build: deps
	@$(MAKE) --no-print-directory all

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN) -MMD -MP -c $< -o $@

# Stamps rewritten only when what they record changes: the compiler flags
# (every object and binary is rebuilt with new ones) and the git revision
# (only build_info.o, which records both; common/build_info.h says why).
BUILD_FLAGS := $(strip $(CC) $(WARN) $(CFLAGS) $(SAN))
$(B)/flags.stamp: FORCE
	@mkdir -p $(B)
	@echo '$(BUILD_FLAGS)' | cmp -s - $@ || echo '$(BUILD_FLAGS)' >$@
$(B)/git-rev.stamp: FORCE
	@mkdir -p $(B)
	@echo '$(GIT_REV)' | cmp -s - $@ || echo '$(GIT_REV)' >$@
$(LIB_OBJ) $(CLI_OBJ) $(TEST_BIN) $(BENCH_BIN): $(B)/flags.stamp
$(B)/common/build_info.o: $(B)/git-rev.stamp
$(B)/common/build_info.o: ALL_CFLAGS += -DMESHSIM_GIT_REV=\"$(GIT_REV)\" \
	-DMESHSIM_BUILD_FLAGS="\"$(strip $(CFLAGS) $(SAN))\""
FORCE:

$(B)/libmeshsim.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(MESHSIM): $(CLI_OBJ) $(B)/libmeshsim.a
	$(CC) $(SAN) -o $@ $(CLI_OBJ) $(B)/libmeshsim.a $(PKG_LIBS)

$(B)/tests/%: tests/%.c $(B)/libmeshsim.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN) -MMD -MP -o $@ $< $(B)/libmeshsim.a $(PKG_LIBS) -lcmocka

$(B)/bench/%: bench/%.c $(B)/libmeshsim.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(SAN) -MMD -MP -o $@ $< $(B)/libmeshsim.a $(PKG_LIBS)

# The default scenario, end to end.
demo: build
	$(MESHSIM) run configs/scenarios/default.yaml

# Unit tests (cmocka) then end-to-end tests of the real binary.
test: build
	@./tools/run-tests.sh $(B) $(TEST_BIN)

unit: all
	@./tools/run-tests.sh --unit-only $(B) $(TEST_BIN)

# The unit and end-to-end tests built with AddressSanitizer and UBSan.
check: deps
	@MESHSIM_SANITIZED=1 $(MAKE) --no-print-directory B=build-asan OPT=-O1 \
		SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" test

# Hold-model and model benchmarks: one JSON object per line.
bench: build
	@./tools/run-bench.sh $(B)

# Fit the mesh parameters no kernel measures to calibration.md's figures
# and write them, with their sources, into configs/meshes/.
calibration: build
	python3 tools/fit_meshes.py $(MESHSIM)
	python3 tools/meshes_doc.py $(MESHSIM)

# Regenerate docs/meshes.md's hop-by-hop tables from the mesh profiles.
meshes-doc: build
	python3 tools/meshes_doc.py $(MESHSIM)

# Regenerate docs/calibration.md: figure, published value, meshsim, error.
calibration-report: build
	python3 tools/calibration_report.py $(MESHSIM) --out docs/calibration.md

valgrind: build
	valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite,indirect \
		$(MESHSIM) run configs/scenarios/default.yaml >/dev/null

clean:
	rm -rf build build-asan

-include $(shell find $(B) -name '*.d' 2>/dev/null)
