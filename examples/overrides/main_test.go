package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), &out); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"acme-otp        429/429   -> fail    retry=false",
		"acme-marketing  429/429   -> backoff retry=true",
		"acme-otp        failed after 1 attempt(s)",
		"acme-marketing  accepted after 2 attempts",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}
