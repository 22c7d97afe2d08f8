# jetpack.image.mk: the macros for jetpack image directories, for GNU make and BSD make (bmake).
#
# End an image Makefile with the include line of your make:
#   GNU make:  include $(or $(.jetpack.image.mk),$(shell $(or $(JETPACK),jetpack) config path.share)/jetpack.image.mk)
#   bmake:     .include <${.jetpack.image.mk:U${${JETPACK:Ujetpack} config path.share:L:sh}/jetpack.image.mk}>
#
# This file only picks the implementation for the make reading it, with a line both parse
# (docs/MAKE.md): GNU make expands $(dir …) and $(if …) and knows no .PARSEDIR or .MAKE.LEVEL,
# bmake the other way round, so GNU make includes jetpack.image.gnu.mk and bmake
# jetpack.image.bsd.mk, both beside this file.
include $(dir $(lastword $(MAKEFILE_LIST)))$(.PARSEDIR)/jetpack.image.$(if $(MAKEFILE_LIST),gnu)${.MAKE.LEVEL:%=bsd}.mk
