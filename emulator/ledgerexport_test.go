package emulator

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"testing"
)

func getLedger(t *testing.T, s *Server, query, key string) (*http.Response, []LedgerRecord) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.URL()+LedgerPath+query, nil)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := testClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var recs []LedgerRecord
	if resp.StatusCode == http.StatusOK {
		sc := bufio.NewScanner(bytes.NewReader(body))
		for sc.Scan() {
			var r LedgerRecord
			if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
				t.Fatalf("ledger line %q: %v", sc.Text(), err)
			}
			recs = append(recs, r)
		}
	}
	return resp, recs
}

func TestLedgerEndpoint(t *testing.T) {
	s := start(t, Config{APIKey: testKey, LedgerCap: 3})
	send := func(sub, id string) {
		r := post(t, s, smsPath(sub), `{"destination":"+6591234567","text":"hi","clientMessageId":"`+id+`"}`)
		if r.status != 200 {
			t.Fatalf("send %s: %d %s", id, r.status, r.body)
		}
	}
	send("acme", "a-1")
	send("acme", "a-1") // a duplicate
	send("globex", "g-1")
	requests := s.Stats().Requests

	resp, _ := getLedger(t, s, "", "Bearer-less")
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("ledger with a wrong key: %d, want 401", resp.StatusCode)
	}
	resp, recs := getLedger(t, s, "", testKey)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/x-ndjson" {
		t.Fatalf("ledger: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if len(recs) != 2 || recs[0].ClientMessageID != "a-1" || recs[0].Copies != 2 || recs[0].Tenant != "acme" || recs[0].UMID == "" ||
		recs[1].ClientMessageID != "g-1" || recs[1].Copies != 1 || recs[1].Tenant != "globex" {
		t.Errorf("ledger = %+v, want a-1 (2 copies, acme) and g-1 (1, globex)", recs)
	}
	if got := resp.Header.Get("X-Emulator-Ledger-Truncated"); got != "false" {
		t.Errorf("truncated = %q, want false", got)
	}
	if s.Stats().Requests != requests {
		t.Errorf("ledger reads counted as API requests")
	}

	// The cap, and a smaller ?limit, bound the answer and say so.
	for i := range 5 {
		send("acme", "b-"+strconv.Itoa(i))
	}
	resp, recs = getLedger(t, s, "", testKey)
	if len(recs) != 3 || resp.Header.Get("X-Emulator-Ledger-Truncated") != "true" || resp.Header.Get("X-Emulator-Ledger-Total") != "7" {
		t.Errorf("capped ledger: %d lines, headers %v; want 3, truncated, total 7", len(recs), resp.Header)
	}
	if _, recs = getLedger(t, s, "?limit=1", testKey); len(recs) != 1 {
		t.Errorf("?limit=1: %d lines", len(recs))
	}
	if resp, _ = getLedger(t, s, "?limit=x", testKey); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("?limit=x: %d, want 400", resp.StatusCode)
	}

	// Read-only.
	r := post(t, s, LedgerPath, `{}`)
	if r.status != http.StatusMethodNotAllowed {
		t.Errorf("POST to the ledger: %d, want 405", r.status)
	}
	if s.Ledger().Unique() != 7 {
		t.Errorf("ledger changed by the endpoint: %d", s.Ledger().Unique())
	}
}

func TestLedgerWriteJSONL(t *testing.T) {
	s := start(t, Config{})
	for i := range 4 {
		post(t, s, smsPath("acme"), `{"destination":"+6591234567","text":"hi","clientMessageId":"c-`+strconv.Itoa(i)+`"}`)
	}
	var b bytes.Buffer
	n, total, err := s.Ledger().WriteJSONL(&b, 2)
	if err != nil || n != 2 || total != 4 || bytes.Count(b.Bytes(), []byte("\n")) != 2 {
		t.Errorf("WriteJSONL cap 2: wrote %d of %d (%v):\n%s", n, total, err, b.String())
	}
	if bytes.Contains(b.Bytes(), []byte("6591234567")) {
		t.Errorf("the export carries a destination:\n%s", b.String())
	}
	if _, err := New(Config{LedgerCap: -1}); err == nil {
		t.Error("a negative LedgerCap is accepted")
	}
}
