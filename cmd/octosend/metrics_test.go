package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/octosend/octosend/emulator"
	"github.com/octosend/octosend/emulator/emulatortest"
)

// scrape GETs a /metrics URL over loopback and returns the text.
func scrape(t *testing.T, u string) string {
	t.Helper()
	if pu, err := url.Parse(u); err != nil || pu.Hostname() != "127.0.0.1" || pu.Path != "/metrics" {
		t.Fatalf("metrics URL %q, want http://127.0.0.1:PORT/metrics", u)
	}
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("GET %s: %d %s", u, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return string(b)
}

// promSum adds up the samples of the series named name whose labels
// include every one of labels (`key="value"`).
func promSum(text, name string, labels ...string) float64 {
	var total float64
	for _, line := range strings.Split(text, "\n") {
		if !strings.HasPrefix(line, name+"{") && !strings.HasPrefix(line, name+" ") {
			continue
		}
		ok := true
		for _, l := range labels {
			ok = ok && strings.Contains(line, l)
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if ok && err == nil {
			total += v
		}
	}
	return total
}

// The demo with --metrics-addr serves the client's and the emulator's
// metrics in Prometheus text; at its end they agree with each other and
// with the run.
func TestDemoServesMetrics(t *testing.T) {
	c, stdout, stderr := testCLI(nil)
	var text string
	c.metricsHook = func(u string) { text = scrape(t, u) }
	code := c.run(context.Background(), []string{"demo", "--messages", "300", "--progress", "none", "--seed", "2", "--metrics-addr", "127.0.0.1:0"})
	if code != exitOK {
		t.Fatalf("demo: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stderr.String(), "Prometheus metrics on http://127.0.0.1:") {
		t.Errorf("stderr does not say where the metrics are:\n%s", stderr)
	}
	check := func(what string, got, want float64) {
		t.Helper()
		if got != want {
			t.Errorf("%s: %v, want %v", what, got, want)
		}
	}
	check("accepted sends", promSum(text, "octosend_sends_total", `octosend_outcome="accepted"`), 300)
	check("attempts = emulator requests", promSum(text, "octosend_attempts_total"), promSum(text, "octosend_emulator_requests_total"))
	check("200s", promSum(text, "octosend_attempts_total", `http_response_status_code="200"`),
		promSum(text, "octosend_emulator_responses_total", `http_response_status_code="200"`))
	check("request duration count = attempts", promSum(text, "http_client_request_duration_seconds_count"), promSum(text, "octosend_attempts_total"))
	check("the +Inf bucket counts every attempt", promSum(text, "http_client_request_duration_seconds_bucket", `le="+Inf"`),
		promSum(text, "octosend_attempts_total"))
	for _, want := range []string{`le="0.001"`, `le="60"`, `octosend_tenant="demo-tenant-1"`, "octosend_limiter_rate_per_second{", "octosend_breakers_open 0"} {
		if !strings.Contains(text, want) {
			t.Errorf("the scrape lacks %s", want)
		}
	}
	if promSum(text, "octosend_emulator_requests_total") <= 300 {
		t.Errorf("the emulator saw %v requests for 300 messages with faults", promSum(text, "octosend_emulator_requests_total"))
	}
}

// bulk --metrics-addr: the run's sends, by outcome.
func TestBulkServesMetrics(t *testing.T) {
	srv := emulatortest.Start(t, emulator.Config{APIKey: testKey, Tenants: map[string]emulator.TenantConfig{"acme_off": {Disabled: true}}})
	dir := t.TempDir()
	in := filepath.Join(dir, "in.jsonl")
	var b bytes.Buffer
	for i := range 20 {
		sub := "acme_hq"
		if i%10 == 9 {
			sub = "acme_off"
		}
		b.WriteString(`{"subaccount":"` + sub + `","destination":"+6591234567","text":"hello ` + strconv.Itoa(i) + `"}` + "\n")
	}
	if err := os.WriteFile(in, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	c, stdout, stderr := testCLI(map[string]string{"OCTOSEND_API_KEY": testKey, "OCTOSEND_BASE_URL": srv.URL()})
	var text string
	c.metricsHook = func(u string) { text = scrape(t, u) }
	code := c.run(context.Background(), []string{"bulk", "--out", filepath.Join(dir, "r.jsonl"), "--progress", "none", "--metrics-addr", "127.0.0.1:0", in})
	if code != exitFailed {
		t.Fatalf("bulk: exit %d, want 1 (the disabled sub-account's messages fail)\n%s\n%s", code, stdout, stderr)
	}
	if got := promSum(text, "octosend_sends_total", `octosend_outcome="accepted"`); got != 18 {
		t.Errorf("%v accepted sends, want 18", got)
	}
	if got := promSum(text, "octosend_sends_total", `octosend_outcome="failed"`, `octosend_tenant="acme_off"`); got != 2 {
		t.Errorf("%v failed sends of acme_off, want 2:\n%s", got, text)
	}
	if got := promSum(text, "octosend_tenant_pauses_total", `octosend_pause_reason="halt"`); got < 1 {
		t.Errorf("%v halts, want the 403's", got)
	}
	if strings.Contains(text, testKey) || strings.Contains(text, "hello") || strings.Contains(text, "6591234567") {
		t.Error("the metrics hold the key, a text or a destination")
	}
}

// emulator --metrics-addr serves the emulator's counters while it runs.
func TestEmulatorServesMetrics(t *testing.T) {
	cmd := exec.Command(binary, "emulator", "--addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	}()
	errs := bufio.NewScanner(stderr)
	var metricsURL string
	for metricsURL == "" && errs.Scan() {
		if _, u, ok := strings.Cut(errs.Text(), "Prometheus metrics on "); ok {
			metricsURL = strings.TrimSpace(u)
		}
	}
	// Drain the rest of stderr while the emulator runs, so that its log
	// can never fill the pipe and block it; Wait comes after the drain
	// ends (os/exec: no Wait before the reads from a pipe are done).
	errsDone := make(chan struct{})
	go func() {
		for errs.Scan() {
		}
		close(errsDone)
	}()
	sc := bufio.NewScanner(stdout)
	if !sc.Scan() || metricsURL == "" {
		t.Fatalf("no URL on stdout or no metrics URL on stderr (%q)", metricsURL)
	}
	base := strings.TrimSpace(sc.Text())
	for i := range 3 {
		resp, err := http.Post(base+"/api/v1/subaccounts/acme/messages", "application/json",
			strings.NewReader(`{"destination":"+6591234567","text":"hi","clientMessageId":"m-`+strconv.Itoa(i)+`"}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	text := scrape(t, metricsURL)
	if got := promSum(text, "octosend_emulator_requests_total"); got != 3 {
		t.Errorf("octosend_emulator_requests_total %v, want 3:\n%s", got, text)
	}
	if got := promSum(text, "octosend_emulator_responses_total", `http_response_status_code="200"`); got != 3 {
		t.Errorf("200s %v, want 3", got)
	}
	if got := promSum(text, "octosend_emulator_accepted_total"); got != 3 {
		t.Errorf("accepted %v, want 3", got)
	}
	if strings.Contains(text, "octosend_sends_total") {
		t.Error("the emulator serves client metrics it has no client for")
	}
	cmd.Process.Signal(os.Interrupt)
	io.Copy(io.Discard, stdout)
	<-errsDone
	if err := cmd.Wait(); err != nil {
		t.Fatalf("emulator after SIGINT: %v", err)
	}
}

// A --metrics-addr without a host, or not an address, is a usage error.
func TestMetricsAddrRefused(t *testing.T) {
	for _, addr := range []string{":9464", "9464", "127.0.0.1"} {
		c, _, stderr := testCLI(nil)
		if code := c.run(context.Background(), []string{"demo", "--messages", "1", "--metrics-addr", addr}); code != exitUsage {
			t.Errorf("--metrics-addr %q: exit %d, want %d", addr, code, exitUsage)
		}
		if !strings.Contains(stderr.String(), "--metrics-addr") {
			t.Errorf("--metrics-addr %q: stderr %q does not name the flag", addr, stderr)
		}
	}
}
