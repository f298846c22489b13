package emulator

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"testing"
	"time"
)

const testKey = "test-key-4f1c"

// reply is one HTTP answer as a plain client sees it.
type reply struct {
	status int
	header http.Header
	body   []byte
	close  bool // the server said Connection: close
}

// post sends body to path with the test key, on a fresh connection-pooled
// client, and fails the test on a transport error.
func post(t *testing.T, s *Server, path, body string) reply {
	t.Helper()
	r, err := tryPost(s, path, testKey, body)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	return r
}

var testClient = &http.Client{Timeout: 10 * time.Second}

func tryPost(s *Server, path, key, body string) (reply, error) {
	req, err := http.NewRequest(http.MethodPost, s.URL()+path, bytes.NewBufferString(body))
	if err != nil {
		return reply{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := testClient.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return reply{}, err
	}
	return reply{resp.StatusCode, resp.Header, b, resp.Close}, nil
}

func smsPath(sub string) string   { return "/api/v1/subaccounts/" + sub + "/messages" }
func batchPath(sub string) string { return "/api/v1/subaccounts/" + sub + "/messages/batch" }

// decode unmarshals r.body into v, failing the test on error.
func decode(t *testing.T, r reply, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decoding %q: %v", r.body, err)
	}
}

// errEnvelope is the error envelope as a test reads it, with raw fields so
// the test can check their shape.
type errEnvelope struct {
	Code      int     `json:"code"`
	Message   string  `json:"message"`
	ErrorID   *string `json:"errorId"`
	Timestamp *string `json:"timestamp"`
}

var (
	uuidRE      = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	timestampRE = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d\dZ$`)
)

// wantError checks that r is the error envelope with status and code.
func wantError(t *testing.T, r reply, status, code int) errEnvelope {
	t.Helper()
	if r.status != status {
		t.Fatalf("status = %d, want %d (body %s)", r.status, status, r.body)
	}
	var e errEnvelope
	decode(t, r, &e)
	if e.Code != code {
		t.Errorf("body code = %d, want %d (body %s)", e.Code, code, r.body)
	}
	if e.Message == "" {
		t.Errorf("empty message in %s", r.body)
	}
	if e.ErrorID == nil || !uuidRE.MatchString(*e.ErrorID) {
		t.Errorf("errorId not a uuid in %s", r.body)
	}
	if e.Timestamp == nil || !timestampRE.MatchString(*e.Timestamp) {
		t.Errorf("timestamp not yyyy-MM-ddTHH:mm:ss.ffZ in %s", r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	return e
}

var t0 = time.Date(2026, 8, 1, 2, 14, 7, 420_000_000, time.UTC)

func ioCopy(w io.Writer, resp *http.Response) (int64, error) {
	defer resp.Body.Close()
	return io.Copy(w, resp.Body)
}

func fixedNow() time.Time { return t0 }
