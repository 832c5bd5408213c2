// Package apigen holds the Go types generated from the OpenAPI document
// (internal/httpapi/openapi/openapi.yaml) by `make gen`. Do not edit *.gen.go.
package apigen

//go:generate go tool oapi-codegen -config oapi-codegen.yaml ../openapi/openapi.yaml
