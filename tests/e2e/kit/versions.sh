# shellcheck shell=sh
# shellcheck disable=SC2034
# Every version the e2e kit builds, pinned in one place. The cache key of each
# piece is derived from these, so changing a line rebuilds only that piece.

# Pulumi engine and plugins (the CLI matches @pulumi/pulumi ~3.248 in package.json).
KIT_PULUMI_VERSION=v3.248.0
# pulumi-language-nodejs: the proxy refuses its module at every version (the v3.248.0
# commit's pseudo-version v3.0.0-20260624120734-a88168d865b7 included), so the kit builds
# a minimal host of its own (langhost-nodejs/) against sdk/v3 $KIT_PULUMI_VERSION.
# pulumi-resource-kubernetes: the provider module at tag v4.25.0's code, stamped with the
# version @pulumi/kubernetes asks for (package.json ^4.34.2).
KIT_K8S_PROVIDER_MODULE_VERSION=v4.0.0-20260115033456-f47bc2d6f199
KIT_K8S_PROVIDER_SDK_VERSION=v4.29.0
KIT_K8S_PROVIDER_STAMP=4.34.2
# pulumi-resource-random, stamped with the version @pulumi/random asks for (its package.json
# "pulumi" section: 4.21.2). The proxy serves no github.com/pulumi/pulumi-random module at all
# (v4.18.4's e451fbb205fc included), so the kit bridges the upstream Terraform provider itself
# (provider-random/): the upstream commit pulumi-random v4.20.0-v4.21.1 use, and the newest
# bridge the proxy serves.
KIT_RANDOM_PROVIDER_STAMP=4.21.2
KIT_RANDOM_UPSTREAM_VERSION=v1.3.2-0.20260513075824-f8d869dc98d9
KIT_RANDOM_BRIDGE_VERSION=v3.120.0
# The upstream commit asks for terraform-plugin-framework v1.19.0 / terraform-plugin-go v0.31.0,
# whose ResourceServer interfaces grew methods bridge v3.120.0 does not implement: hold them at
# the pair pulumi-random v4.19.x shipped with (upstream v3.8.x, bridge v3.119.0).
KIT_RANDOM_FRAMEWORK_VERSION=v1.17.0
KIT_RANDOM_PLUGIN_GO_VERSION=v0.29.0

# Control plane and node.
KIT_K8S_VERSION=v1.34.4
KIT_ETCD_VERSION=v3.6.5
KIT_MIEKG_DNS_VERSION=v1.1.68

# Where everything is built: outside the repository, reused across runs.
KIT_CACHE=${RS_E2E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rs-e2e}

# The node's images, built locally (no registry reachable): a Debian rootfs with Debian's
# Redis packages, and a sandbox ("pause") image from our own pause.c.
KIT_DEBIAN_SUITE=bookworm
KIT_DEBIAN_MIRROR=http://deb.debian.org/debian
KIT_REDIS_IMAGE=localhost/rs-e2e/redis:bookworm
KIT_PAUSE_IMAGE=localhost/rs-e2e/pause:3.10
KIT_COREDNS_VERSION=v1.12.4
# Bump when build-images.sh changes what it builds (the images' cache key).
KIT_IMAGES_REV=3
