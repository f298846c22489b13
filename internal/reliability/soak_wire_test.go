package reliability

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/octosend/octosend/emulator"
)

// wire is the soak's independent view of single sends: for each
// clientMessageId, the status the emulator answered each request that
// carried it, in arrival order (0: the connection was reset, or no answer
// yet).
type wire struct {
	h       http.Handler
	mu      sync.Mutex
	by      map[string][]int
	outages []emulator.Window
	inOut   atomic.Int64 // requests that arrived during an outage window
}

func (w *wire) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	now := time.Now()
	for _, o := range w.outages {
		if !now.Before(o.Start) && now.Before(o.End) {
			w.inOut.Add(1)
		}
	}
	if !strings.HasSuffix(r.URL.Path, "/messages") {
		w.h.ServeHTTP(rw, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	var p struct {
		ClientMessageID string `json:"clientMessageId"`
	}
	_ = json.Unmarshal(body, &p)
	// Take the slot on arrival: a reset request's handler may finish after
	// the retry that followed it.
	w.mu.Lock()
	slot := len(w.by[p.ClientMessageID])
	w.by[p.ClientMessageID] = append(w.by[p.ClientMessageID], 0)
	w.mu.Unlock()
	rec := &answerWriter{ResponseWriter: rw}
	defer func() { // also when the emulator aborts the handler to reset
		w.mu.Lock()
		w.by[p.ClientMessageID][slot] = rec.status
		w.mu.Unlock()
	}()
	w.h.ServeHTTP(rec, r)
}

// statuses returns what the emulator answered for cmid.
func (w *wire) statuses(cmid string) []int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.by[cmid]
}
