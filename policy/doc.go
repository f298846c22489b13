// Package policy decides, for each outcome of a send attempt, what the
// client does next: a pure function from outcome to action and delay.
package policy
