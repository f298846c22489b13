package envelope

import (
	"bufio"
	"bytes"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// docCodes reads the code table of testdata/api-error-codes.md (8x8's page): code -> description.
func docCodes(t *testing.T, path string) map[Code]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[Code]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	inCodes := false
	for sc.Scan() {
		line := sc.Text()
		if strings.Contains(line, "SMS API, Messaging API") {
			inCodes = true
		}
		if !inCodes || !strings.HasPrefix(line, "| ") {
			continue
		}
		cols := strings.Split(line, "|")
		n, err := strconv.Atoi(strings.TrimSpace(cols[1]))
		if err != nil {
			continue // the header row
		}
		out[Code(n)] = strings.TrimSpace(cols[2])
	}
	if len(out) < 70 {
		t.Fatalf("read only %d codes from %s", len(out), path)
	}
	return out
}

func TestCodesCoverDocumentation(t *testing.T) {
	// testdata/api-error-codes.md is a copy of 8x8's error-code page,
	// kept outside the repository; when that original is beside it, check it too, so
	// that a change there fails this test until the table is updated.
	paths := []string{"testdata/api-error-codes.md"}
	if _, err := os.Stat("../../shared/api-error-codes.md"); err == nil {
		paths = append(paths, "../../shared/api-error-codes.md")
	}
	for _, p := range paths {
		for c, desc := range docCodes(t, p) {
			if !c.Known() {
				t.Errorf("%s: code %d (%s) has no constant", p, c, desc)
				continue
			}
			if got := c.Description(); got != desc {
				t.Errorf("%s: Code(%d).Description() = %q, want %q", p, c, got, desc)
			}
		}
	}
	for _, c := range []Code{429, 1014, 3060, 7001} {
		if !c.Known() || c.Description() == "" {
			t.Errorf("code %d is not named", c)
		}
	}
}

func TestCodeString(t *testing.T) {
	tests := []struct {
		c    Code
		name string
		desc string
	}{
		{CodeInvalidMSISDN, "InvalidMSISDN", "Invalid MSISDN"},
		{CodeTemplateNotFound, "TemplateNotFound", "Template not found"},
		{CodeUnauthorized, "Unauthorized", "Unauthorized Access"},
		{CodeTooManyRequests, "TooManyRequests", "Too many requests"},
		{CodeInsecureProtocol, "InsecureProtocol", "Insecure protocol (TLS version too old)"},
		{CodeFileTooLarge, "FileTooLarge", "File too large"},
		{CodeTemplateBeingDeleted, "TemplateBeingDeleted", "Template is being deleted"},
		{CodeChatInvalidMSISDN, "ChatInvalidMSISDN", "Invalid MSISDN"},
		{1234, "Code(1234)", ""},
		{0, "Code(0)", ""},
		{-5, "Code(-5)", ""},
	}
	for _, tt := range tests {
		if got := tt.c.String(); got != tt.name {
			t.Errorf("Code(%d).String() = %q, want %q", int(tt.c), got, tt.name)
		}
		if got := tt.c.Description(); got != tt.desc {
			t.Errorf("Code(%d).Description() = %q, want %q", int(tt.c), got, tt.desc)
		}
		if got, want := tt.c.Known(), tt.desc != ""; got != want {
			t.Errorf("Code(%d).Known() = %v, want %v", int(tt.c), got, want)
		}
	}
}

func TestParseCode(t *testing.T) {
	tests := []struct {
		in   string
		want Code
		ok   bool
	}{
		{"InvalidMSISDN", CodeInvalidMSISDN, true},
		{"invalidmsisdn", CodeInvalidMSISDN, true},
		{"CodeInvalidMSISDN", CodeInvalidMSISDN, true},
		{" 1002 ", CodeInvalidMSISDN, true},
		{"1002", CodeInvalidMSISDN, true},
		{"429", CodeTooManyRequests, true},
		{"TooManyRequests", CodeTooManyRequests, true},
		{"1234", 1234, true},
		{"Code(1234)", 1234, true},
		{"code(7001)", CodeFileTooLarge, true},
		{"NotFound", CodeNotFound, true},
		{"CodeNotFound", CodeNotFound, true},
		{"", 0, false},
		{"Code", 0, false},
		{"Code()", 0, false},
		{"-1", 0, false},
		{"1e3", 0, false},
		{"99999999999", 0, false},
		{"2147483648", 0, false},
		{"2147483647", 2147483647, true},
		{"NoSuchCode", 0, false},
		{"Code(abc)", 0, false},
	}
	for _, tt := range tests {
		got, ok := ParseCode(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseCode(%q) = %d, %v; want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	// Every code round-trips through its name and its number.
	for _, c := range Codes() {
		if got, ok := ParseCode(c.String()); !ok || got != c {
			t.Errorf("ParseCode(%q) = %d, %v; want %d", c.String(), got, ok, c)
		}
		if got, ok := ParseCode(strconv.Itoa(int(c))); !ok || got != c {
			t.Errorf("ParseCode(%d) = %d, %v", c, got, ok)
		}
	}
}

func TestCodesAndStatuses(t *testing.T) {
	cs := Codes()
	if !slices.IsSorted(cs) {
		t.Errorf("Codes() not ascending: %v", cs)
	}
	if len(cs) != 79 { // 1000-1012, 1014, 1100, 1200, 1201, 1300, 1400, 2000-2003, 3001-3053, 3060, 7001, 429
		t.Errorf("len(Codes()) = %d, want 79", len(cs))
	}
	names := map[string]Code{}
	for _, c := range cs {
		if prev, dup := names[strings.ToLower(c.String())]; dup {
			t.Errorf("codes %d and %d share the name %q", prev, c, c.String())
		}
		names[strings.ToLower(c.String())] = c
	}
	cs[0] = 1
	if Codes()[0] != CodeTooManyRequests {
		t.Error("Codes() returned shared storage")
	}

	want := []int{200, 201, 202, 204, 400, 401, 403, 404, 409, 410, 413, 422, 426, 429, 500, 502, 503, 504}
	st := Statuses()
	if !slices.Equal(st, want) {
		t.Errorf("Statuses() = %v, want %v", st, want)
	}
	st[0] = 1
	if Statuses()[0] != 200 {
		t.Error("Statuses() returned shared storage")
	}
}
