# jetpack.image.gnu.mk: GNU make macros for jetpack image directories, included through
# jetpack.image.mk (jetpack.image.bsd.mk is the same for bmake).
#
# The GNU make port of Jetpack's share/jetpack.image.mk (BSD make). An image Makefile sets a
# few variables, defines prepare.*, build.* and clean.* targets, and ends with this line:
#
#   include $(or $(.jetpack.image.mk),$(shell $(or $(JETPACK),jetpack) config path.share)/jetpack.image.mk)
#
# `make` (target `image`) then runs `make prepare` on the host and
#   $(JETPACK) build -saveid=image.aci.id -cp=… PARENT_IMAGE BUILD_COMMAND BUILD_ARGS
# which copies the build dir into a container made from PARENT_IMAGE and runs
# `make .jetpack.build.` there: the `build` target, then `manifest.json`.
# docs/MAKE.md describes every variable and target.

ifndef PARENT_IMAGE
$(error PARENT_IMAGE not defined. I don't know what to do!)
endif

.jetpack.image.mk.path := $(abspath $(lastword $(MAKEFILE_LIST)))
JETPACK_SHAREDIR := $(dir $(.jetpack.image.mk.path))
MAKEACI := $(JETPACK_SHAREDIR)makeaci

JETPACK ?= jetpack
JETPACK_FLAGS ?=
BUILD_CP ?=
BUILD_CP_JETPACK_IMAGE_MK ?= yes
ACI_FILE ?= image.aci
ACI_ID_FILE ?= $(ACI_FILE).id
FLAT_ACI_FILE ?= $(basename $(ACI_FILE)).flat.aci
OCI_FILE ?= $(basename $(ACI_FILE)).oci.tar
# make portable: a portable service image PORTABLE_NAME_VERSION.raw (docs/PORTABLE.md).
PORTABLE_NAME ?= $(subst .,-,$(notdir $(CURDIR)))
ifeq ($(origin VERSION),undefined)
# Read once (:=): PORTABLE_FILE is expanded several times while make reads the macros.
VERSION := $(or $(shell sed -n 's/.*"name" *: *"version" *, *"value" *: *"\([^"]*\)".*/\1/p' manifest.json 2>/dev/null | head -n 1),0)
endif
PORTABLE_FS ?= squashfs
PORTABLE_FILE ?= $(PORTABLE_NAME)_$(VERSION).raw
# make aci-signed: ACI_FILE and its signature ACI_FILE.asc, made by gpg with SIGN_KEY (default:
# gpg's default key) and SIGN_FLAGS (-passphrase-file=FILE), for publishing (docs/FETCH.md).
SIGN_KEY ?=
SIGN_FLAGS ?=
# make push PUSH_TO=docker://HOST/REPO:TAG [PUSH_FLAGS=-creds=USER:PASS]
PUSH_TO ?=
PUSH_FLAGS ?=
CLEAN_FILES += $(ACI_ID_FILE) $(ACI_FILE) $(ACI_FILE).asc $(FLAT_ACI_FILE) $(OCI_FILE) $(PORTABLE_FILE) .jetpack.inputs .jetpack.parent.id .jetpack.parent.checked

# The build runs GNU make lent by jetpack (the parent image needs none); a parent's own make
# can be used with BUILD_COMMAND = /usr/bin/make .jetpack.build. …
BUILD_COMMAND ?= /.jetpack.tools/make .jetpack.build.$(if $(filter yes,$(BUILD_CP_JETPACK_IMAGE_MK)), .jetpack.image.mk=./$(notdir $(.jetpack.image.mk.path)))

ifeq ($(BUILD_CP_JETPACK_IMAGE_MK),yes)
BUILD_CP += $(.jetpack.image.mk.path)
endif

ifdef DEBUG
JETPACK_FLAGS += -debug
endif

# NAME='value' for every defined variable named in BUILD_VARS, quoted for the shell and with
# $ doubled for the inner make, so it sees the very same value.
.jetpack.quote = '$(subst ','\'',$(subst $$,$$$$,$(1)))'
BUILD_ARGS += $(foreach v,$(BUILD_VARS),$(if $(filter-out undefined,$(origin $(v))),$(v)=$(call .jetpack.quote,$($(v)))))

.DEFAULT_GOAL := image

# Wildcard targets: every prepare.*, build.* and clean.* target written in the Makefile or
# the files it includes (the macros' own use a double dot, see below).
.jetpack.own.files := $(filter-out $(.jetpack.image.mk.path) $(JETPACK_SHAREDIR)jetpack.image.mk,$(abspath $(MAKEFILE_LIST)))
.jetpack.rule.targets := $(shell sed -n -E 's/^(((prepare|build|clean)\.[^:=[:space:]\#]*[[:space:]]*)+)::?([^=].*)?$$/\1/p' $(.jetpack.own.files) /dev/null || echo .jetpack.no-sed)
ifneq ($(filter .jetpack.no-sed,$(.jetpack.rule.targets)),)
$(error jetpack.image.mk needs sed to find the prepare.*, build.* and clean.* targets)
endif

ifdef PKG_INSTALL
# What apt and dpkg write that differs on every run (dated logs, ldconfig's inode cache):
# removed, as mmdebstrap removes them, so that an image is the same bytes each time.
.jetpack.apt.logs := /var/log/dpkg.log /var/log/alternatives.log /var/log/apt/history.log /var/log/apt/term.log /var/log/apt/eipp.log.xz /var/cache/ldconfig/aux-cache
.jetpack.rule.targets += build..pkg-install
# The parent's own package manager, chosen from its /etc/os-release.
build..pkg-install:
	@. /etc/os-release; case " $$ID $$ID_LIKE " in \
	  *" debian "*|*" ubuntu "*) apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $(PKG_INSTALL) && apt-get clean && rm -rf /var/lib/apt/lists/* $(.jetpack.apt.logs) ;; \
	  *" alpine "*) apk add --no-cache $(PKG_INSTALL) ;; \
	  *" fedora "*|*" rhel "*|*" centos "*) dnf install -y $(PKG_INSTALL) && dnf clean all ;; \
	  *) echo "PKG_INSTALL: no package manager known for ID=$$ID in /etc/os-release" >&2; exit 1 ;; \
	esac
endif

ifneq ($(strip $(CLEAN_FILES)),)
.jetpack.rule.targets += clean..files
clean..files:
	rm -rf $(CLEAN_FILES)
endif

prepare: $(filter prepare.%,$(.jetpack.rule.targets))
build: $(filter build.%,$(.jetpack.rule.targets))
clean: $(filter clean.%,$(.jetpack.rule.targets))

# In the container: build everything, then make sure manifest.json exists (a static file,
# or a rule that writes it, e.g. from `nginx -v`). Without it the build fails.
.jetpack.build.: build
	@$(MAKE) --no-print-directory manifest.json

.PHONY: image aci aci-signed flat-aci oci portable push prepare build clean .jetpack.build. $(filter prepare.% build.% clean.%,$(.jetpack.rule.targets))

image: $(ACI_ID_FILE)

aci: $(ACI_FILE)
$(ACI_FILE): $(ACI_ID_FILE)
	$(JETPACK) $(JETPACK_FLAGS) export `cat $(ACI_ID_FILE)` $@

aci-signed: $(ACI_FILE).asc
$(ACI_FILE).asc: $(ACI_FILE)
	$(JETPACK) $(JETPACK_FLAGS) sign $(if $(SIGN_KEY),-key=$(SIGN_KEY)) $(SIGN_FLAGS) $(ACI_FILE)

flat-aci: $(FLAT_ACI_FILE)
$(FLAT_ACI_FILE): $(ACI_ID_FILE)
	$(JETPACK) $(JETPACK_FLAGS) export -flat `cat $(ACI_ID_FILE)` $@

oci: $(OCI_FILE)
$(OCI_FILE): $(ACI_ID_FILE)
	$(JETPACK) $(JETPACK_FLAGS) export -format=oci-archive `cat $(ACI_ID_FILE)` $@

portable: $(PORTABLE_FILE)
$(PORTABLE_FILE): $(ACI_ID_FILE)
	$(JETPACK) $(JETPACK_FLAGS) export -format=portable -fs=$(PORTABLE_FS) `cat $(ACI_ID_FILE)` $@

push: $(ACI_ID_FILE)
	$(if $(PUSH_TO),,$(error make push needs PUSH_TO=docker://HOST/REPO:TAG))
	$(JETPACK) $(JETPACK_FLAGS) push $(PUSH_FLAGS) `cat $(ACI_ID_FILE)` $(PUSH_TO)

ifndef .jetpack.image.mk
# On the host only: what the image is rebuilt for. It is rebuilt when the Makefiles, a file
# of the build dir (added, changed or removed) or the parent image change, and only then;
# finding out takes no jetpack call unless the store changed since the last check.
.jetpack.outputs := $(ACI_FILE) $(ACI_FILE).asc $(ACI_ID_FILE) $(FLAT_ACI_FILE) $(OCI_FILE) $(PORTABLE_FILE)
.jetpack.list-inputs = find $(or $(BUILD_DIR),.) \( -name '.jetpack.*' $(foreach f,$(.jetpack.outputs),-o -path '$(or $(BUILD_DIR),.)/$(f)') \) -prune -o -type f -print | LC_ALL=C sort
.jetpack.inputs.now := $(shell $(.jetpack.list-inputs))
ifneq ($(.jetpack.inputs.now),$(strip $(file < .jetpack.inputs)))
$(file > .jetpack.inputs,$(.jetpack.inputs.now))
endif

# The store the jetpack commands use, as jetpack itself resolves it (-root, JETPACK_ROOT, under
# sudo its environment); bin/jetpack answers without starting Node. Its images/ directory
# changes whenever an image is added or removed.
.jetpack.store := $(shell $(JETPACK) $(JETPACK_FLAGS) config path.root)

# An ID file naming an image that store does not hold (removed by `jetpack gc` or destroy-image,
# or another store is used now) is out of date whatever the times say: FILE is removed so that
# it is made again. $(call .jetpack.recheck,ID-FILE,FILE,WHAT IS DONE); reading costs no process
# (the message reads the ID in the shell, so no text of the file becomes shell code).
.jetpack.recheck = $(if $(wildcard $(1)),$(if $(wildcard $(.jetpack.store)/images/$(strip $(file < $(1)))),,$(shell \
  echo "$(1): $$(cat $(1)) is not in the store $(.jetpack.store): $(3)" >&2; rm -f $(2))))
$(call .jetpack.recheck,$(ACI_ID_FILE),$(ACI_ID_FILE),building the image again)
$(call .jetpack.recheck,.jetpack.parent.id,.jetpack.parent.checked,looking the parent up again)

# .jetpack.parent.id holds the parent's image ID and changes only when that ID does. A parent
# the store lacks is fetched (docs/FETCH.md), unless JETPACK_NO_FETCH=1.
.jetpack.parent.id: .jetpack.parent.checked ;
.jetpack.parent.checked: $(wildcard $(.jetpack.store)/images)
	@id=$$($(JETPACK) $(JETPACK_FLAGS) fetch -q $(PARENT_IMAGE)) && \
	  if [ "$$id" != "$$(cat .jetpack.parent.id 2>/dev/null)" ]; then echo "$$id" > .jetpack.parent.id; fi && touch $@

# Before the build: the container's make ends with `make manifest.json`, which needs the file
# (after prepare, in the build dir or BUILD_CP) or a rule for it. make itself is asked, as in
# the container (a dry run of the macros' in-container half); a rule whose prerequisites only
# the build makes is left to the container. Not asked of a BUILD_COMMAND of another goal.
.jetpack.check-manifest = if [ -z "$(filter manifest.json,$(notdir $(BUILD_CP)))" ] && [ -n "$(filter .jetpack.build.,$(BUILD_COMMAND))" ] && \
  LC_ALL=C $(MAKE) --no-print-directory -n $(if $(BUILD_DIR),-C $(BUILD_DIR)) manifest.json .jetpack.image.mk=$(.jetpack.image.mk.path) 2>&1 >/dev/null | \
  grep "No rule to make target 'manifest\.json'\." >/dev/null; then \
  echo "jetpack.image.mk: $(or $(BUILD_DIR),.) has no manifest.json and no rule to make it: the build would fail at its end (docs/MAKE.md)" >&2; exit 1; fi

$(ACI_ID_FILE): $(.jetpack.inputs.now) .jetpack.inputs $(MAKEFILE_LIST) $(wildcard $(BUILD_CP)) .jetpack.parent.id
	$(MAKE) prepare
	@$(.jetpack.check-manifest)
	@$(.jetpack.list-inputs) | tr '\n' ' ' | sed 's/ $$//' > .jetpack.inputs
	$(JETPACK) $(JETPACK_FLAGS) build -saveid=$@ $(foreach f,$(BUILD_CP),-cp=$(f)) $(if $(BUILD_DIR),-dir=$(BUILD_DIR)) $(PARENT_IMAGE) $(BUILD_COMMAND) $(BUILD_ARGS)
endif
