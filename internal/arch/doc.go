// Package arch holds tests of rules about the code's shape that no single
// package can check for itself (it has no code of its own). Rules that
// belong to one layer live beside it (the web layer's imports in
// internal/server's layers_test.go).
package arch
