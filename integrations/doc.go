// Package integrations holds one client package per outside system Feidi delivers to.
package integrations
