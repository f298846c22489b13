// Package client sends SMS and chat-app messages through the 8x8 CPaaS
// API and keeps sending when the API, the network or a quota misbehaves.
package client
