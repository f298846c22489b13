//go:build tools

// Package deps pins the module's dependencies while the packages that use
// them are being written, so that `go mod tidy` keeps them. It is never built.
package deps

import (
	_ "github.com/buger/jsonparser"
	_ "github.com/bytedance/sonic"
	_ "github.com/failsafe-go/failsafe-go/circuitbreaker"
	_ "github.com/failsafe-go/failsafe-go/failsafehttp"
	_ "github.com/failsafe-go/failsafe-go/ratelimiter"
	_ "github.com/failsafe-go/failsafe-go/retrypolicy"
	_ "github.com/go-redis/redis_rate/v10"
	_ "github.com/goccy/go-json"
	_ "github.com/google/uuid"
	_ "github.com/hashicorp/go-retryablehttp"
	_ "github.com/redis/go-redis/v9"
	_ "github.com/sony/gobreaker/v2"
	_ "github.com/valyala/fastjson"
	_ "go.uber.org/goleak"
	_ "go.yaml.in/yaml/v3"
	_ "golang.org/x/term"
	_ "golang.org/x/time/rate"
)
