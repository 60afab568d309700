#!/bin/sh
# pulumi-resource-pulumi-nodejs for the offline e2e kit (installed without the .sh next to
# `pulumi`): the engine starts it for pulumi.dynamic.Resource, in the program's directory.
# Runs @pulumi/pulumi's dynamic provider, resolved from there, with the engine's arguments.
set -eu
script=$(node -e 'console.log(require.resolve("@pulumi/pulumi/cmd/dynamic-provider"))') || {
  echo "pulumi-resource-pulumi-nodejs: @pulumi/pulumi/cmd/dynamic-provider not found from $(pwd)" >&2
  exit 1
}
exec node "$script" "$@"
