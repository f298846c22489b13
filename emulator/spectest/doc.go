// Package spectest validates the emulator's responses against OpenAPI 3
// documents of 8x8's SMS and Messaging Apps send operations, with
// kin-openapi's openapi3filter.
//
// It is a module of its own, holding tests only, so that the root module
// does not depend on kin-openapi. The documents in testdata are the
// project's own restatement of docs/8x8-api.md, not 8x8's files (whose
// licence forbids copying them): see the header of each.
package spectest
