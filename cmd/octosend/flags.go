package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// commonFlags are the connection flags of send and bulk.
type commonFlags struct {
	apiKey      string
	baseURL     string
	region      string
	config      string
	concurrency int
	// hasConcurrency: the command has a --concurrency flag.
	hasConcurrency bool
}

// register adds the common flags to fs. The API key flag has no default
// shown anywhere: the key is never printed.
func (f *commonFlags) register(fs *flag.FlagSet, concurrency bool) {
	fs.StringVar(&f.apiKey, "api-key", "", "")
	fs.StringVar(&f.baseURL, "base-url", "", "")
	fs.StringVar(&f.region, "region", "apac", "")
	fs.StringVar(&f.config, "config", "", "")
	if concurrency {
		fs.IntVar(&f.concurrency, "concurrency", 64, "")
		f.hasConcurrency = true
	}
}

// resolve fills the values the environment provides (OCTOSEND_API_KEY,
// OCTOSEND_BASE_URL) and checks the flags.
func (f *commonFlags) resolve(getenv func(string) string) error {
	if f.apiKey == "" {
		f.apiKey = getenv("OCTOSEND_API_KEY")
	}
	if f.baseURL == "" {
		f.baseURL = getenv("OCTOSEND_BASE_URL")
	}
	return f.check()
}

func (f *commonFlags) check() error {
	switch strings.ToLower(f.region) {
	case "apac", "us", "eu", "id":
	default:
		return fmt.Errorf("unknown --region %q (want apac, us, eu or id)", f.region)
	}
	if f.hasConcurrency && (f.concurrency < 1 || f.concurrency > 10000) {
		return fmt.Errorf("--concurrency %d: want 1..10000", f.concurrency)
	}
	if f.baseURL != "" {
		if err := checkBaseURL(f.baseURL); err != nil {
			return err
		}
	}
	return nil
}

// checkBaseURL accepts https URLs, and http ones only for loopback hosts
// (the emulator): an API key never travels in clear text over a network.
func checkBaseURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return fmt.Errorf("--base-url %q: not an absolute URL", s)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		host := u.Hostname()
		if ip := net.ParseIP(host); strings.EqualFold(host, "localhost") || (ip != nil && ip.IsLoopback()) {
			return nil
		}
		return errors.New("--base-url: plain http is allowed only for loopback hosts (127.0.0.1, ::1, localhost)")
	}
	return fmt.Errorf("--base-url %q: want an http(s) URL", s)
}
