package emulator

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A body over MaxBodyBytes gets the whole 413 / 1000 envelope over a real
// socket, with Connection: close: a little over (drained, no reset) and far
// over (past drainCap: answered, then the connection closes).
func TestBodyTooLarge(t *testing.T) {
	s := start(t, Config{APIKey: testKey, MaxBodyBytes: 1024})
	for _, n := range []int{2000, 512 << 10, 3 << 20} {
		big := `{"destination":"+6591234567","text":"` + strings.Repeat("x", n) + `"}`
		r, err := tryPost(s, smsPath("acme_hq"), testKey, big)
		if err != nil {
			t.Fatalf("%d-byte text: client error %v, want the 413 answer", n, err)
		}
		wantError(t, r, 413, 1000)
		if !r.close {
			t.Errorf("%d-byte text: no Connection: close", n)
		}
	}
	if s.Ledger().Accepted() != 0 {
		t.Errorf("an over-large body was accepted")
	}
	if st := s.Stats(); st.Responses[413] != 3 {
		t.Errorf("Stats.Responses[413] = %d, want 3", st.Responses[413])
	}
	if r := post(t, s, smsPath("acme_hq"), okSMS); r.status != 200 {
		t.Errorf("a small body after: status %d", r.status)
	}
}

// A client that writes its whole body before it reads (as curl does) still
// gets the 413 envelope when the body is far past drainCap: the emulator
// keeps reading and dropping it after the answer instead of closing on it.
func TestBodyTooLargeWriteAllFirst(t *testing.T) {
	s := start(t, Config{APIKey: testKey, MaxBodyBytes: 1024})
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL(), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	body := `{"destination":"+6591234567","text":"` + strings.Repeat("x", 3<<20) + `"}`
	head := "POST " + smsPath("acme_hq") + " HTTP/1.1\r\nHost: emulator\r\n" +
		"Authorization: Bearer " + testKey + "\r\nContent-Type: application/json\r\n" +
		"Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n"
	if _, err := io.WriteString(conn, head+body); err != nil {
		t.Fatalf("writing the whole request: %v", err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("reading the answer: %v", err)
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatalf("reading the answer body: %v", err)
	}
	wantError(t, reply{status: resp.StatusCode, header: resp.Header, body: b}, 413, 1000)
	if !resp.Close {
		t.Errorf("no Connection: close")
	}
}
