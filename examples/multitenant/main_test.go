package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), &out, "", 600, 16); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{"600 messages", "acme-otp", "at_most_once", "acme-marketing", "at_least_once"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}

func TestConfigFile(t *testing.T) {
	if _, err := loadPolicy("tenants.yaml"); err != nil {
		t.Fatalf("the example's config file does not load: %v", err)
	}
}
