package reliability

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/octosend/octosend/client"
	"github.com/octosend/octosend/emulator"
	"github.com/octosend/octosend/policy"
)

// answer is what the emulator answered one request: its status and the
// Retry-After it advertised.
type answer struct {
	status int
	ra     time.Duration
}

// answerLog serves an emulator and records, per sub-account and in order,
// what each request was answered. With one sender per sub-account the k-th
// answer belongs to the k-th arrival in the emulator's ledger.
type answerLog struct {
	srv *emulator.Server
	mu  sync.Mutex
	by  map[string][]answer
}

func (l *answerLog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest, _ := strings.CutPrefix(r.URL.Path, "/api/v1/subaccounts/")
	sub, _, _ := strings.Cut(rest, "/")
	// Take the slot on arrival, so answers stay in arrival order even if
	// a handler finishes after the next request came in.
	l.mu.Lock()
	slot := len(l.by[sub])
	l.by[sub] = append(l.by[sub], answer{})
	l.mu.Unlock()
	rec := &answerWriter{ResponseWriter: w}
	defer func() {
		ra, _ := strconv.Atoi(rec.Header().Get("Retry-After"))
		l.mu.Lock()
		l.by[sub][slot] = answer{status: rec.status, ra: time.Duration(ra) * time.Second}
		l.mu.Unlock()
	}()
	l.srv.ServeHTTP(rec, r)
}

// answerWriter notes the status; it passes Flush and Hijack through, so
// the emulator's resets still work.
type answerWriter struct {
	http.ResponseWriter
	status int
}

func (w *answerWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *answerWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = 200
	}
	return w.ResponseWriter.Write(b)
}

func (w *answerWriter) Flush() { w.ResponseWriter.(http.Flusher).Flush() }

func (w *answerWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return w.ResponseWriter.(http.Hijacker).Hijack()
}

// startAnswerLog runs an emulator for cfg behind an answerLog on loopback.
func startAnswerLog(t *testing.T, cfg emulator.Config) (*answerLog, string) {
	t.Helper()
	srv, err := emulator.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	l := &answerLog{srv: srv, by: make(map[string][]answer)}
	ts := httptest.NewUnstartedServer(l)
	ts.Config.ErrorLog = discardLog()
	ts.Start()
	t.Cleanup(func() { srv.Close(); ts.CloseClientConnections(); ts.Close() })
	return l, ts.URL
}

// checkDiscipline asserts, for every sub-account, that no request arrived
// before the Retry-After of the 429 answered just before it had elapsed
// (minus slack). It returns how many 429s it checked.
func checkDiscipline(t *testing.T, l *answerLog, tenants []string, slack time.Duration) int {
	t.Helper()
	checked := 0
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, sub := range tenants {
		arr, ans := l.srv.Ledger().Arrivals(sub), l.by[sub]
		if len(arr) != len(ans) {
			t.Fatalf("%s: %d arrivals but %d answers", sub, len(arr), len(ans))
		}
		for k := 0; k+1 < len(arr); k++ {
			if ans[k].status != http.StatusTooManyRequests {
				continue
			}
			checked++
			if gap := arr[k+1].Sub(arr[k]); gap < ans[k].ra-slack {
				t.Errorf("%s: request %d arrived %v after a 429 with Retry-After %v (slack %v)", sub, k+2, gap, ans[k].ra, slack)
			}
		}
	}
	return checked
}

// runTenants sends n messages for each tenant, one at a time per tenant,
// all tenants at once, and returns how many sends failed.
func runTenants(t *testing.T, obs *observer, c *client.Client, tenants []string, n int) int {
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		failed int
	)
	for ti, sub := range tenants {
		wg.Go(func() {
			for i := range n {
				_, err := obs.sendSMS(c, context.Background(), sub, sms(ti*1000+i, fmt.Sprintf("%s-%d", sub, i)))
				if err != nil {
					if !typedErr(err) {
						t.Errorf("untyped error: %v", err)
					}
					mu.Lock()
					failed++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	return failed
}

// TestRetryAfterDisciplineFakeTime: the emulator and the client share one
// fake clock, so the check is exact (no slack): per-tenant token buckets
// and random 429s with a 3s Retry-After, eight tenants at once.
func TestRetryAfterDisciplineFakeTime(t *testing.T) {
	t.Parallel()
	clk := newJumpClock()
	tenants := []string{"ten-a", "ten-b", "ten-c", "ten-d", "ten-e", "ten-f", "ten-g", "ten-h"}
	l, url := startAnswerLog(t, emulator.Config{
		APIKey: canaryKey, Rate: 2, Burst: 2, Now: clk.Now, Seed: 7,
		Faults: emulator.Faults{P429: 0.1, RetryAfter: 3 * time.Second},
	})
	obs := newObserver(t)
	c := obs.newClient(client.Config{
		BaseURL: url, Clock: clk,
		// Other tenants' waits move the shared clock too; a long deadline
		// keeps sends from giving up on time they did not wait themselves.
		Policy: mustPolicy(t, policy.Config{Retry: policy.Retry{MaxAttempts: 10, Deadline: time.Hour}}),
	})
	failed := runTenants(t, obs, c, tenants, 20)
	checked := checkDiscipline(t, l, tenants, 0)
	t.Logf("%d sends, %d failed, %d throttled answers checked", 20*len(tenants), failed, checked)
	if checked < 20 {
		t.Errorf("only %d 429s were followed by a request: the test did not exercise throttling", checked)
	}
	if failed != 0 {
		t.Errorf("%d sends failed; with 10 attempts and an hour every one should get through", failed)
	}
}

// realClockSlack is what the real-clock check allows: the client waits on
// the same monotonic clock the emulator stamps arrivals with, after the
// 429 was stamped, so no slack is needed in theory; 5ms covers timer and
// scheduler granularity of a loaded CI machine.
const realClockSlack = 5 * time.Millisecond

// TestRetryAfterDisciplineRealClock: the same check on the wall clock,
// small (each 429 costs a real second or more).
func TestRetryAfterDisciplineRealClock(t *testing.T) {
	t.Parallel()
	tenants := []string{"real-a", "real-b", "real-c", "real-d"}
	l, url := startAnswerLog(t, emulator.Config{APIKey: canaryKey, Rate: 1, Burst: 1})
	obs := newObserver(t)
	c := obs.newClient(client.Config{BaseURL: url})
	failed := runTenants(t, obs, c, tenants, 2)
	checked := checkDiscipline(t, l, tenants, realClockSlack)
	if checked < len(tenants) || failed != 0 {
		t.Errorf("%d 429s checked, %d failed sends; want >= %d and 0", checked, failed, len(tenants))
	}
}
