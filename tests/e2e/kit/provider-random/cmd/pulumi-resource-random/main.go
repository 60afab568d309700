// pulumi-resource-random: the bridged Terraform random provider, with the schema
// pulumi-tfgen-random wrote next to this file embedded.
package main

import (
	"context"
	_ "embed"

	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfbridge"

	"rs-e2e/pulumi-resource-random/info"
)

// Version is stamped by the linker (-X main.Version=...).
var Version string

//go:embed schema.json
var schema []byte

//go:embed bridge-metadata.json
var metadata []byte

func main() {
	tfbridge.Main(context.Background(), "random", info.Provider(Version, metadata),
		tfbridge.ProviderMetadata{PackageSchema: schema})
}
