// Package ratelimit keeps senders within 8x8's per-sub-account and
// per-IP quotas, locally and across a fleet.
package ratelimit
