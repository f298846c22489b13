//go:build !race

// The race detector changes allocation counts.

package envelope

import (
	"path/filepath"
	"testing"
)

func TestDecodeWebhookAllocs(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "webhook_*.json"))
	if err != nil || len(files) < 10 {
		t.Fatalf("webhook testdata: %d files, %v", len(files), err)
	}
	var d Decoder
	var w Webhook
	for _, f := range files {
		body := readTestdata(t, filepath.Base(f))
		t.Run(filepath.Base(f), func(t *testing.T) {
			if err := d.DecodeWebhook(body, &w); err != nil { // the first call may grow the scratch buffer
				t.Fatal(err)
			}
			allocs := testing.AllocsPerRun(100, func() {
				if err := d.DecodeWebhook(body, &w); err != nil {
					t.Fatal(err)
				}
				if _, ok := w.Receipt(); !ok {
					w.Inbound()
				}
			})
			if allocs != 0 {
				t.Errorf("%v allocs per decode, want 0", allocs)
			}
		})
	}
}
