package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	t.Setenv("OCTOSEND_BASE_URL", "") // the embedded emulator
	var out bytes.Buffer
	if err := run(context.Background(), &out, "+6591234567", "hello"); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "accepted: umid ") {
		t.Errorf("output %q", out.String())
	}

	out.Reset()
	err := run(context.Background(), &out, "12", "hello") // not an E.164 number
	if err == nil || !strings.Contains(out.String(), "code 1002 (InvalidMSISDN)") {
		t.Errorf("bad number: err %v, output %q", err, out.String())
	}
}
