package spectest

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

const (
	testKey   = "spec-key-7d2e"
	smsPath   = "/api/v1/subaccounts/{subAccountId}/messages"
	batchPath = "/api/v1/subaccounts/{subAccountId}/messages/batch"
)

// guidRE is the id form of docs/8x8-api.md ("Timestamps and ids"): any
// 8-4-4-4-12 hex string, version and variant unchecked. It replaces
// kin-openapi's "uuid" format, which is opt-in and checks the RFC version.
var guidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

var defineFormats = sync.OnceFunc(func() {
	openapi3.DefineStringFormatValidator("uuid", openapi3.NewCallbackValidator(func(s string) error {
		if !guidRE.MatchString(s) {
			return errNotGUID
		}
		return nil
	}))
})

type formatError string

func (e formatError) Error() string { return string(e) }

const errNotGUID = formatError("not an 8-4-4-4-12 hex id")

var (
	docsOnce sync.Once
	docs     map[string]*openapi3.T
	docsErr  error
)

// spec returns the loaded and checked document testdata/<name>.yaml
// ("sms" or "chat").
func spec(t *testing.T, name string) *openapi3.T {
	t.Helper()
	docsOnce.Do(func() {
		defineFormats()
		docs = make(map[string]*openapi3.T)
		for _, n := range []string{"sms", "chat"} {
			l := openapi3.NewLoader()
			l.IsExternalRefsAllowed = true
			d, err := l.LoadFromFile("testdata/" + n + ".yaml")
			if err == nil {
				err = d.Validate(context.Background())
			}
			if err != nil {
				docsErr = err
				return
			}
			docs[n] = d
		}
	})
	if docsErr != nil {
		t.Fatalf("loading the OpenAPI documents: %v", docsErr)
	}
	return docs[name]
}

// answer is one HTTP response as read off the socket.
type answer struct {
	status int
	header http.Header
	body   []byte
}

var httpClient = &http.Client{Timeout: 10 * time.Second}

// post sends body to url + path with key and returns the answer, failing
// the test on a transport error.
func post(t *testing.T, url, path, key, body string) answer {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("POST %s: reading the body: %v", path, err)
	}
	return answer{resp.StatusCode, resp.Header, b}
}

// check validates a against the POST operation at the path template of
// the named document, reporting every mismatch.
func check(t *testing.T, name, path string, a answer) error {
	t.Helper()
	doc := spec(t, name)
	item := doc.Paths.Find(path)
	if item == nil || item.Post == nil {
		t.Fatalf("%s.yaml has no POST %s", name, path)
	}
	req, err := http.NewRequest(http.MethodPost, "http://emulator"+strings.ReplaceAll(path, "{subAccountId}", "acme_hq"), nil)
	if err != nil {
		t.Fatal(err)
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request:    req,
			PathParams: map[string]string{"subAccountId": "acme_hq"},
			Route:      &routers.Route{Spec: doc, Path: path, PathItem: item, Method: http.MethodPost, Operation: item.Post},
		},
		Status: a.status,
		Header: a.header,
		Body:   io.NopCloser(bytes.NewReader(a.body)),
		Options: &openapi3filter.Options{
			IncludeResponseStatus: true,
			MultiError:            true,
		},
	}
	return openapi3filter.ValidateResponse(context.Background(), in)
}

// conforms fails the test unless a conforms to the document, and unless
// it has the status the case expects.
func conforms(t *testing.T, name, path string, a answer, status int) {
	t.Helper()
	if a.status != status {
		t.Fatalf("status %d, want %d (body %s)", a.status, status, a.body)
	}
	if err := check(t, name, path, a); err != nil {
		t.Errorf("the %d answer departs from %s.yaml: %v\nbody: %s", a.status, name, err, a.body)
	}
}
