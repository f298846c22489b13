package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"strings"
	"testing"
	"time"
)

// A short run through the five phases: the metrics' totals match the
// emulator's ledger and statistics exactly, the outage opened the
// breaker, the storm cut the adaptive rate, and the chart is well-formed
// SVG with both phases marked.
func TestRun(t *testing.T) {
	var out bytes.Buffer
	res, err := run(context.Background(), &out, config{Phase: time.Second, Rate: 80})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", out.String())
	last := res.samples[len(res.samples)-1]
	check := func(what string, got, want int64) {
		t.Helper()
		if got != want {
			t.Errorf("%s: metrics say %d, want %d", what, got, want)
		}
	}
	check("accepted = ledger", last.Accepted, int64(res.unique))
	check("accepted + failed = sent", last.Accepted+last.Failed, res.sent)
	check("failed = send errors", last.Failed, res.failed)
	check("attempts = emulator requests", last.Attempts(), res.stats.Requests)
	check("503s", last.Status503, res.stats.Responses[503])
	check("429s", last.Status429, res.stats.Responses[429])
	if last.BreakerOpens == 0 || last.Status503 == 0 || last.Status429 == 0 {
		t.Errorf("breaker opens %d, 503s %d, 429s %d: the outage or the storm did not bite", last.BreakerOpens, last.Status503, last.Status429)
	}
	if low := res.lowestRate(); low <= 0 || low >= 1000 {
		t.Errorf("lowest adaptive rate %v: the storm did not cut it", low)
	}
	if len(res.samples) < 20 {
		t.Errorf("%d samples, want one every %s", len(res.samples), res.cfg.Phase/8)
	}

	svg := res.SVG()
	d := xml.NewDecoder(strings.NewReader(svg))
	for {
		if _, err := d.Token(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("the chart is not well-formed XML: %v", err)
		}
	}
	for _, want := range []string{"<svg ", "outage (503)", "429 storm", "breaker open", "<polyline", "sends accepted"} {
		if !strings.Contains(svg, want) {
			t.Errorf("the chart lacks %q", want)
		}
	}
}
