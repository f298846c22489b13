package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/octosend/octosend/client"
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

// TestTallyCountsEverySend: retries and ambiguous count for failed sends
// too, not only for accepted ones.
func TestTallyCountsEverySend(t *testing.T) {
	var got tally
	got.add(client.Result{Attempts: 1}, nil)
	got.add(client.Result{Attempts: 3, Ambiguous: true}, nil)
	got.add(client.Result{}, &client.APIError{Status: 500, Attempts: 5, Ambiguous: true})
	got.add(client.Result{}, fmt.Errorf("wrapped: %w", &client.SendError{Attempts: 2, Ambiguous: true}))
	got.add(client.Result{}, &client.ResponseError{Status: 200, Attempts: 4, Ambiguous: true})
	got.add(client.Result{}, &client.APIError{Status: 400, Attempts: 1})
	want := tally{accepted: 2, failed: 4, retries: 2 + 4 + 1 + 3, ambiguous: 4}
	if got != want {
		t.Errorf("tally %+v, want %+v", got, want)
	}
}
