// Package policies embeds the casbin model and the built-in role policies.
package policies

import _ "embed"

// Model is the casbin model (RBAC with tenant domains).
//
//go:embed model.conf
var Model string

// Roles is the current built-in role → action policy.
//
//go:embed roles.v1.csv
var Roles string
