// Package breaker holds keyed circuit breakers that stop a sender from
// hammering a failing 8x8 region.
package breaker
