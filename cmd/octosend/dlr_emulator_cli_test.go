package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"
)

// TestCLIEmulatorDLR: `octosend emulator --dlr-url` posts the receipts of
// an accepted message to the URL with the Authorization of
// OCTOSEND_DLR_AUTH, and says so in its statistics without printing it.
func TestCLIEmulatorDLR(t *testing.T) {
	got := make(chan string, 16)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- r.Header.Get("Authorization") + " " + string(b)
	}))
	defer hook.Close()
	cmd, url, stdout, stderr := startEmulatorCLI(t, []string{"OCTOSEND_DLR_AUTH=" + hookSecret}, "--addr", "127.0.0.1:0", "--api-key", testKey,
		"--dlr-url", hook.URL+"/hook", "--dlr-delay", "1ms", "--dlr-undelivered", "1", "--dlr-error-codes", "46")
	req, _ := http.NewRequest("POST", url+"/api/v1/subaccounts/acme/messages",
		strings.NewReader(`{"destination":"+6591234567","text":"hi","clientMessageId":"m-1"}`))
	req.Header.Set("Authorization", "Bearer "+testKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, want := range []string{`"sent"`, `"undelivered"`} {
		select {
		case r := <-got:
			if !strings.HasPrefix(r, hookSecret+" ") || !strings.Contains(r, want) || !strings.Contains(r, `"m-1"`) {
				t.Errorf("receipt %q: want Authorization %q and state %s", r, hookSecret, want)
			}
			if want == `"undelivered"` && !strings.Contains(r, `"errorCode":46`) {
				t.Errorf("undelivered receipt without its error code: %q", r)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("no %s receipt; stderr %q", want, stderr.String())
		}
	}
	cmd.Process.Signal(os.Interrupt)
	io.Copy(io.Discard, stdout)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("emulator after SIGINT: %v\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "receipts: 2 planned, ") || strings.Contains(stderr.String(), "hook-Xy7") {
		t.Errorf("stats:\n%s", stderr.String())
	}
}

func TestDLROptionsResolve(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	for _, tc := range []struct {
		o    dlrOptions
		env  map[string]string
		ok   bool
		auth string
	}{
		{o: dlrOptions{listen: "127.0.0.1:0"}, ok: true},
		{o: dlrOptions{listen: "[::1]:9000"}, ok: true},
		{o: dlrOptions{listen: "0.0.0.0:9000"}},
		{o: dlrOptions{listen: "0.0.0.0:9000", auth: "Bearer x"}, ok: true, auth: "Bearer x"},
		{o: dlrOptions{listen: "0.0.0.0:9000"}, env: map[string]string{"OCTOSEND_DLR_AUTH": "Bearer e"}, ok: true, auth: "Bearer e"},
		{o: dlrOptions{listen: "127.0.0.1"}},
		{o: dlrOptions{listen: "127.0.0.1:0", wait: -time.Second}},
		{o: dlrOptions{listen: "127.0.0.1:0", auth: "a\r\nX: y"}},
	} {
		err := tc.o.resolve(env(tc.env))
		if (err == nil) != tc.ok || (tc.ok && tc.o.auth != tc.auth) {
			t.Errorf("%+v: err %v, auth %q", tc.o, err, tc.o.auth)
		}
		if err != nil && (strings.Contains(err.Error(), "Bearer") || strings.Contains(err.Error(), "X: y")) {
			t.Errorf("the error shows the secret: %v", err)
		}
	}
}
