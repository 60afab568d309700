// Package shim hands the upstream Terraform random provider to the bridge. Its import path
// lies under github.com/terraform-providers/terraform-provider-random, which is what lets it
// import the upstream's internal/provider package.
package shim

import (
	"github.com/hashicorp/terraform-plugin-framework/provider"
	upstream "github.com/terraform-providers/terraform-provider-random/internal/provider"
)

// NewProvider returns the upstream (plugin-framework) provider.
func NewProvider() provider.Provider {
	return upstream.New()
}
