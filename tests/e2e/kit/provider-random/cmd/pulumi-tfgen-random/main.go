// pulumi-tfgen-random writes the Pulumi schema (and bridge metadata) of the bridged random
// provider: pulumi-tfgen-random schema --out DIR.
package main

import (
	"os"

	"github.com/pulumi/pulumi-terraform-bridge/v3/pkg/pf/tfgen"

	"rs-e2e/pulumi-resource-random/info"
)

func main() {
	tfgen.Main("random", info.Provider(os.Getenv("VERSION"), []byte("{}")))
}
