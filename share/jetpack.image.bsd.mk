# jetpack.image.bsd.mk: BSD make (bmake) macros for jetpack image directories, included
# through jetpack.image.mk. The same variables, targets and rebuild rules as
# jetpack.image.gnu.mk, written the way Jetpack's own share/jetpack.image.mk was. An image
# Makefile ends with the line Jetpack's own image Makefiles end with:
#
#   .include <${.jetpack.image.mk:U${${JETPACK:Ujetpack} config path.share:L:sh}/jetpack.image.mk}>
#
# docs/MAKE.md describes every variable and target.

.ifndef PARENT_IMAGE
.error "PARENT_IMAGE not defined. I don't know what to do!"
.endif

# Absolute, with a trailing slash, as jetpack.image.gnu.mk has them.
.jetpack.image.mk.path := ${.PARSEDIR:tA}/${.PARSEFILE}
JETPACK_SHAREDIR := ${.PARSEDIR:tA}/
MAKEACI := ${JETPACK_SHAREDIR}makeaci

JETPACK ?= jetpack
JETPACK_FLAGS ?=
BUILD_CP ?=
BUILD_CP_JETPACK_IMAGE_MK ?= yes
ACI_FILE ?= image.aci
ACI_ID_FILE ?= ${ACI_FILE}.id
FLAT_ACI_FILE ?= ${ACI_FILE:R}.flat.aci
OCI_FILE ?= ${ACI_FILE:R}.oci.tar
PORTABLE_NAME ?= ${.CURDIR:T:S/./-/g}
.ifndef VERSION
VERSION != sed -n 's/.*"name" *: *"version" *, *"value" *: *"\([^"]*\)".*/\1/p' manifest.json 2>/dev/null | head -n 1
.if empty(VERSION)
VERSION = 0
.endif
.endif
PORTABLE_FS ?= squashfs
PORTABLE_FILE ?= ${PORTABLE_NAME}_${VERSION}.raw
SIGN_KEY ?=
SIGN_FLAGS ?=
PUSH_TO ?=
PUSH_FLAGS ?=
CLEAN_FILES += ${ACI_ID_FILE} ${ACI_FILE} ${ACI_FILE}.asc ${FLAT_ACI_FILE} ${OCI_FILE} ${PORTABLE_FILE} .jetpack.inputs .jetpack.parent.id .jetpack.parent.checked

# The build runs the bmake jetpack lends to the container (the parent image needs none).
BUILD_COMMAND ?= /.jetpack.tools/bmake .jetpack.build.${"${BUILD_CP_JETPACK_IMAGE_MK}" == "yes":? .jetpack.image.mk=./${.jetpack.image.mk.path:T}:}

.if ${BUILD_CP_JETPACK_IMAGE_MK} == yes
BUILD_CP += ${.jetpack.image.mk.path}
.endif

.ifdef DEBUG
JETPACK_FLAGS += -debug
.endif

# NAME=value for every defined variable named in BUILD_VARS: :q quotes it for the shell and
# doubles $ for the inner make, so it sees the very same value.
.ifdef BUILD_VARS
BUILD_ARGS += ${BUILD_VARS:@.VAR.@${${.VAR.}:D${.VAR.}=${${.VAR.}:q}}@}
.endif

.MAIN: image

.ifdef PKG_INSTALL
# What apt and dpkg write that differs on every run (dated logs, ldconfig's inode cache):
# removed, as mmdebstrap removes them, so that an image is the same bytes each time.
.jetpack.apt.logs = /var/log/dpkg.log /var/log/alternatives.log /var/log/apt/history.log /var/log/apt/term.log /var/log/apt/eipp.log.xz /var/cache/ldconfig/aux-cache
# The parent's own package manager, chosen from its /etc/os-release.
build..pkg-install: .PHONY
	@. /etc/os-release; case " $$ID $$ID_LIKE " in \
	  *" debian "*|*" ubuntu "*) apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends ${PKG_INSTALL} && apt-get clean && rm -rf /var/lib/apt/lists/* ${.jetpack.apt.logs} ;; \
	  *" alpine "*) apk add --no-cache ${PKG_INSTALL} ;; \
	  *" fedora "*|*" rhel "*|*" centos "*) dnf install -y ${PKG_INSTALL} && dnf clean all ;; \
	  *) echo "PKG_INSTALL: no package manager known for ID=$$ID in /etc/os-release" >&2; exit 1 ;; \
	esac
.endif

.if !empty(CLEAN_FILES)
clean..files: .PHONY
	rm -rf ${CLEAN_FILES}
.endif

image: .PHONY ${ACI_ID_FILE}

aci: .PHONY ${ACI_FILE}
${ACI_FILE}: ${ACI_ID_FILE}
	${JETPACK} ${JETPACK_FLAGS} export `cat ${ACI_ID_FILE}` $@

aci-signed: .PHONY ${ACI_FILE}.asc
${ACI_FILE}.asc: ${ACI_FILE}
	${JETPACK} ${JETPACK_FLAGS} sign ${SIGN_KEY:D-key=${SIGN_KEY}} ${SIGN_FLAGS} ${ACI_FILE}

flat-aci: .PHONY ${FLAT_ACI_FILE}
${FLAT_ACI_FILE}: ${ACI_ID_FILE}
	${JETPACK} ${JETPACK_FLAGS} export -flat `cat ${ACI_ID_FILE}` $@

oci: .PHONY ${OCI_FILE}
${OCI_FILE}: ${ACI_ID_FILE}
	${JETPACK} ${JETPACK_FLAGS} export -format=oci-archive `cat ${ACI_ID_FILE}` $@

portable: .PHONY ${PORTABLE_FILE}
${PORTABLE_FILE}: ${ACI_ID_FILE}
	${JETPACK} ${JETPACK_FLAGS} export -format=portable -fs=${PORTABLE_FS} `cat ${ACI_ID_FILE}` $@

push: .PHONY ${ACI_ID_FILE}
	@[ -n "${PUSH_TO}" ] || { echo "make push needs PUSH_TO=docker://HOST/REPO:TAG" >&2; exit 1; }
	${JETPACK} ${JETPACK_FLAGS} push ${PUSH_FLAGS} `cat ${ACI_ID_FILE}` ${PUSH_TO}

# In the container: build everything, then make sure manifest.json exists (a static file,
# or a rule that writes it). .WAIT keeps them in that order under -j.
.jetpack.build.: .PHONY build .WAIT manifest.json

.ifndef .jetpack.image.mk
# On the host only: what the image is rebuilt for, as jetpack.image.gnu.mk does. It is rebuilt
# when the Makefiles, a file of the build dir (added, changed or removed) or the parent image
# change, and only then; finding out takes no jetpack call unless the store changed.
.jetpack.dir := ${BUILD_DIR:U.}
.jetpack.outputs := ${ACI_FILE} ${ACI_FILE}.asc ${ACI_ID_FILE} ${FLAT_ACI_FILE} ${OCI_FILE} ${PORTABLE_FILE}
.jetpack.list-inputs = find ${.jetpack.dir} \( -name '.jetpack.*' ${.jetpack.outputs:@f@-o -path '${.jetpack.dir}/${f}'@} \) -prune -o -type f -print | LC_ALL=C sort
.jetpack.inputs.now != ${.jetpack.list-inputs}
# Shell built-ins read what they can: every process started costs milliseconds of a no-op make.
.jetpack.inputs.was != [ ! -f .jetpack.inputs ] || { read -r was < .jetpack.inputs; echo "$$was"; }
.if "${.jetpack.inputs.now}" != "${.jetpack.inputs.was}"
.jetpack.written != printf '%s\n' '${.jetpack.inputs.now}' > .jetpack.inputs
.endif

# The store the jetpack commands use, as jetpack itself resolves it (-root, JETPACK_ROOT, under
# sudo its environment; bin/jetpack answers without starting Node). Its images/ directory
# changes whenever an image is added or removed. An ID file naming an image that store does
# not hold (removed by `jetpack gc` or destroy-image, or another store is used now) is out of
# date whatever the times say: what makes it is removed so that it is made again. One shell
# does both, as every process costs a no-op make milliseconds.
.jetpack.store != store=$$(${JETPACK} ${JETPACK_FLAGS} config path.root) && echo "$$store" && \
	recheck() { \
	  [ ! -f "$$1" ] || { read -r id < "$$1"; [ -d "$$store/images/$$id" ]; } || \
	  { echo "$$1: $$id is not in the store $$store: $$3" >&2; rm -f "$$2"; }; \
	} && \
	recheck ${ACI_ID_FILE:Q} ${ACI_ID_FILE:Q} 'building the image again' && \
	recheck .jetpack.parent.id .jetpack.parent.checked 'looking the parent up again'
.jetpack.store.images := ${exists(${.jetpack.store}/images):?${.jetpack.store}/images:}

# .jetpack.parent.id holds the parent's image ID and changes only when that ID does. A parent
# the store lacks is fetched (docs/FETCH.md), unless JETPACK_NO_FETCH=1.
.jetpack.parent.id: .jetpack.parent.checked
.jetpack.parent.checked: ${.jetpack.store.images}
	@id=$$(${JETPACK} ${JETPACK_FLAGS} fetch -q ${PARENT_IMAGE}) && \
	  if [ "$$id" != "$$(cat .jetpack.parent.id 2>/dev/null)" ]; then echo "$$id" > .jetpack.parent.id; fi && touch $@

# BUILD_CP may hold globs, which exists() does not expand: the shell does.
.jetpack.cp.files != for f in ${BUILD_CP}; do [ ! -e "$$f" ] || echo "$$f"; done
# Before the build: manifest.json, in the build dir or BUILD_CP or made by a rule, as
# jetpack.image.gnu.mk checks it.
.jetpack.check-manifest = if [ -z "${BUILD_CP:T:Mmanifest.json}" ] && [ -n "${BUILD_COMMAND:M.jetpack.build.}" ] && \
  ${MAKE} -n ${BUILD_DIR:D-C ${BUILD_DIR}} manifest.json .jetpack.image.mk=${.jetpack.image.mk.path} 2>&1 >/dev/null | \
  grep "don't know how to make manifest\.json\." >/dev/null; then \
  echo "jetpack.image.mk: ${BUILD_DIR:U.} has no manifest.json and no rule to make it: the build would fail at its end (docs/MAKE.md)" >&2; exit 1; fi

${ACI_ID_FILE}: ${.jetpack.inputs.now} .jetpack.inputs ${.MAKE.MAKEFILES:N/usr/share/*} ${.jetpack.cp.files} .jetpack.parent.id
	${MAKE} prepare
	@${.jetpack.check-manifest}
	@${.jetpack.list-inputs} | tr '\n' ' ' | sed 's/ $$//' > .jetpack.inputs
	${JETPACK} ${JETPACK_FLAGS} build -saveid=$@ ${BUILD_CP:@.FILE.@-cp=${.FILE.}@} ${BUILD_DIR:D-dir=${BUILD_DIR}} ${PARENT_IMAGE} ${BUILD_COMMAND} ${BUILD_ARGS}
.endif

# Wildcard targets: every prepare.*, build.* and clean.* target defined above this line, in
# the Makefile, the files it includes and these macros (whose own use a double dot).
prepare: .PHONY ${.ALLTARGETS:Mprepare.*}
build: .PHONY ${.ALLTARGETS:Mbuild.*}
clean: .PHONY ${.ALLTARGETS:Mclean.*}
