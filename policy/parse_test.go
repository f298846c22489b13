package policy

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/octosend/octosend/envelope"
)

var update = flag.Bool("update", false, "rewrite golden files and policy/README.md's table")

// TestParseGolden parses every testdata/config file and compares the
// error message (or "ok") with the .golden file beside it.
func TestParseGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/config/*.*")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, path := range files {
		if strings.HasSuffix(path, ".golden") {
			continue
		}
		n++
		t.Run(filepath.Base(path), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			got := "ok\n"
			_, perr := Parse(path, data)
			if perr != nil {
				got = perr.Error() + "\n"
				var ce *ConfigError
				if !errors.As(perr, &ce) {
					t.Errorf("error %T is not a *ConfigError", perr)
				}
			}
			golden := strings.TrimSuffix(path, filepath.Ext(path)) + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("Parse(%s):\n got: %s\nwant: %s", path, got, want)
			}
			wantOK := strings.HasPrefix(filepath.Base(path), "valid_")
			if wantOK != (perr == nil) {
				t.Errorf("Parse(%s) error = %v; files named valid_* must parse, others must not", path, perr)
			}
		})
	}
	if n < 40 {
		t.Errorf("only %d golden inputs found", n)
	}
}

// TestParseIssueExample pins the exact message format the issue asks for.
func TestParseIssueExample(t *testing.T) {
	data, err := os.ReadFile("testdata/config/unknown_action.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Parse("examples/bad.yaml", data)
	want := `policy: examples/bad.yaml:12: rules[3].action: unknown action "retyr" (want one of ok, retry, backoff, fail, trip, halt)`
	if err == nil || err.Error() != want {
		t.Fatalf("error = %v\nwant    %s", err, want)
	}
	var ce *ConfigError
	if !errors.As(err, &ce) || ce.File != "examples/bad.yaml" || ce.Line != 12 || ce.Key != "rules[3].action" {
		t.Errorf("ConfigError fields = %+v", ce)
	}
}

// TestExampleFiles loads examples/policy.yaml and examples/policy.json:
// both must decode to the same Config, and the YAML must use every key.
func TestExampleFiles(t *testing.T) {
	yamlData, err := os.ReadFile("../examples/policy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	jsonData, err := os.ReadFile("../examples/policy.json")
	if err != nil {
		t.Fatal(err)
	}
	fromYAML, err := Parse("examples/policy.yaml", yamlData)
	if err != nil {
		t.Fatal(err)
	}
	fromJSON, err := Parse("examples/policy.json", jsonData)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fromYAML, fromJSON) {
		t.Errorf("YAML and JSON examples differ:\nyaml %+v\njson %+v", fromYAML, fromJSON)
	}
	for _, keys := range allKeys() {
		for _, k := range keys {
			if k == "status_class" { // documented as `status: 5xx`
				continue
			}
			if !strings.Contains(string(yamlData), k+":") {
				t.Errorf("examples/policy.yaml does not show key %q", k)
			}
		}
	}
	// Spot-check decoded values, names included.
	if got := fromYAML.Retry; got.BaseDelay != 200*time.Millisecond || got.RetryAfterCeiling != 20*time.Second || got.MaxAttempts != 5 {
		t.Errorf("retry = %+v", got)
	}
	if got := fromYAML.Rules[0]; got.Status != 503 || got.Code != envelope.CodeInternalError || got.Action != ActionRetry {
		t.Errorf("rules[0] = %+v", got)
	}
	if got := fromYAML.Rules[2]; got.StatusClass != "5xx" || got.Status != 0 {
		t.Errorf("rules[2] = %+v", got)
	}
	otp := fromYAML.Tenants["acme-otp"]
	if otp.Semantics == nil || *otp.Semantics != AtMostOnce || otp.Limits.Rate != 200 {
		t.Errorf("tenants.acme-otp = %+v", otp)
	}
	if got := fromYAML.Tenants["acme-marketing"].Rules[0].Code; got != envelope.CodeTemplateNotFound {
		t.Errorf("acme-marketing code = %v", got)
	}
	for _, path := range []string{"../examples/policy.yaml", "../examples/policy.json"} {
		p, err := Load(path)
		if err != nil {
			t.Fatalf("Load(%s): %v", path, err)
		}
		if d := p.Decide(Outcome{Tenant: "acme-otp", Status: 429, Attempt: 1}); d.Action != ActionFail {
			t.Errorf("%s: acme-otp 429 -> %v", path, d.Action)
		}
		if d := p.Decide(Outcome{Tenant: "acme-otp", Status: 500, Attempt: 1}); d.Retry || d.GiveUp != GiveUpAtMostOnce {
			t.Errorf("%s: acme-otp 500 -> %+v", path, d)
		}
	}
}

func TestParseDecodes(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Config
	}{
		{"empty", "", Config{}},
		{"null values mean unset", "retry:\nrules: ~\nsemantics: null\n", Config{}},
		{"code by name any case", "rules: [{code: invalidmsisdn, action: fail}]", Config{Rules: []Rule{{Code: 1002, Action: ActionFail}}}},
		{"code by Code-prefixed name", "rules: [{code: CodeInvalidMSISDN, action: fail}]", Config{Rules: []Rule{{Code: 1002, Action: ActionFail}}}},
		{"code by number", "rules: [{code: 4018, action: fail}]", Config{Rules: []Rule{{Code: 4018, Action: ActionFail}}}},
		{"code as a numeric string", `rules: [{code: "1002", action: fail}]`, Config{Rules: []Rule{{Code: 1002, Action: ActionFail}}}},
		{"status class upper case", "rules: [{status: 5XX, action: fail}]", Config{Rules: []Rule{{StatusClass: "5xx", Action: ActionFail}}}},
		{"status_class key", "rules: [{status_class: 4xx, code: 2000, action: trip}]", Config{Rules: []Rule{{StatusClass: "4xx", Code: 2000, Action: ActionTrip}}}},
		{"status as a string", `rules: [{status: "503", action: fail}]`, Config{Rules: []Rule{{Status: 503, Action: ActionFail}}}},
		{"yaml integer forms", "retry: {max_attempts: 0x0a}\nlimits: {burst: 1_000}", Config{Retry: Retry{MaxAttempts: 10}, Limits: Limits{Burst: 1000}}},
		{"integer as a float field", "budget: {ratio: 1}", Config{Budget: BudgetConfig{Ratio: 1}}},
		{"compound duration", "retry: {deadline: 1m30s}", Config{Retry: Retry{Deadline: 90 * time.Second}}},
		{"tenant semantics", "tenants: {acme: {semantics: at_most_once}}", Config{Tenants: map[string]Tenant{"acme": {Semantics: ptr(AtMostOnce)}}}},
		{"json", `{"retry": {"max_attempts": 3}, "rules": [{"status": "5xx", "action": "fail"}]}`,
			Config{Retry: Retry{MaxAttempts: 3}, Rules: []Rule{{StatusClass: "5xx", Action: ActionFail}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse("t.yaml", []byte(tt.in))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse(%q) =\n %+v\nwant\n %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseSizeCap(t *testing.T) {
	big := make([]byte, MaxConfigSize+1)
	for i := range big {
		big[i] = ' '
	}
	_, err := Parse("big.yaml", big)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Parse(1 MiB + 1) = %v, want ErrTooLarge", err)
	}
	var ce *ConfigError
	if !errors.As(err, &ce) || ce.File != "big.yaml" {
		t.Errorf("error %v is not a *ConfigError naming the file", err)
	}
	// Load reads at most MaxConfigSize+1 bytes and refuses the file too.
	path := filepath.Join(t.TempDir(), "big.yaml")
	if err := os.WriteFile(path, append(big, big...), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Load(2 MiB) = %v, want ErrTooLarge", err)
	}
	// Exactly the cap is fine.
	if _, err := Parse("ok.yaml", big[:MaxConfigSize]); err != nil {
		t.Errorf("Parse(1 MiB of spaces) = %v", err)
	}
}

func TestNewRejects(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		key  string
	}{
		{"attempts over cap", Config{Retry: Retry{MaxAttempts: MaxAttemptsLimit + 1}}, "retry.max_attempts"},
		{"invalid action", Config{Rules: []Rule{{Status: 500, Action: 42}}}, "rules[0].action"},
		{"missing action", Config{Rules: []Rule{{Status: 500}}}, "rules[0].action"},
		{"bad semantics", Config{Semantics: 9}, "semantics"},
		{"bad tenant semantics", Config{Tenants: map[string]Tenant{"acme": {Semantics: ptr(Semantics(7))}}}, "tenants.acme.semantics"},
		{"code out of range", Config{Rules: []Rule{{Code: 100000, Action: ActionFail}}}, "rules[0].code"},
		{"negative code", Config{Rules: []Rule{{Code: -1, Action: ActionFail}}}, "rules[0].code"},
		{"bad class", Config{Rules: []Rule{{StatusClass: "5XX", Action: ActionFail}}}, "rules[0].status_class"},
		{"negative rate", Config{Limits: Limits{Rate: -1}}, "limits.rate"},
		{"budget window under 1s", Config{Budget: BudgetConfig{Window: time.Millisecond}}, "budget.window"},
		{"breaker ratio", Config{Limits: Limits{BreakerFailureRatio: 2}}, "limits.breaker_failure_ratio"},
		{"negative burst", Config{Limits: Limits{Burst: -1}}, "limits.burst"},
		{"tenant name", Config{Tenants: map[string]Tenant{"": {}}}, "tenants."},
		{"tenant rule", Config{Tenants: map[string]Tenant{"acme": {Rules: []Rule{{Action: ActionFail}}}}}, "tenants.acme.rules[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.cfg)
			var ce *ConfigError
			if !errors.As(err, &ce) || ce.Key != tt.key || ce.File != "" || ce.Line != 0 {
				t.Fatalf("New = %v (%+v), want a *ConfigError for key %q", err, ce, tt.key)
			}
			if !strings.HasPrefix(err.Error(), "policy: "+tt.key) {
				t.Errorf("message %q does not start with policy: %s", err, tt.key)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	if _, err := Load(filepath.Join(t.TempDir(), "nope.yaml")); !errors.Is(err, os.ErrNotExist) || !strings.HasPrefix(err.Error(), "policy: ") {
		t.Errorf("Load(missing) = %v", err)
	}
	path := filepath.Join(t.TempDir(), "p.json")
	if err := os.WriteFile(path, []byte("{\n\"retry\": {\"max_attempts\": 99}}"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(path)
	var ce *ConfigError
	if !errors.As(err, &ce) || ce.File != path || ce.Line != 2 || ce.Key != "retry.max_attempts" {
		t.Errorf("Load(bad json) = %v", err)
	}
}

// FuzzParse feeds arbitrary bytes to Parse (as YAML and as JSON): it must
// never panic, and whatever it accepts New must accept too.
// Seeds: testdata/fuzz/FuzzParse plus the example and golden files.
func FuzzParse(f *testing.F) {
	for _, glob := range []string{"../examples/policy.*", "testdata/config/*.yaml", "testdata/config/*.json"} {
		files, _ := filepath.Glob(glob)
		for _, path := range files {
			if data, err := os.ReadFile(path); err == nil {
				f.Add(data, strings.HasSuffix(path, ".json"))
			}
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, asJSON bool) {
		name := "fuzz.yaml"
		if asJSON {
			name = "fuzz.json"
		}
		cfg, err := Parse(name, data)
		if err != nil {
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("error %T is not a *ConfigError: %v", err, err)
			}
			if !strings.HasPrefix(err.Error(), "policy: "+name) {
				t.Fatalf("error %q does not name the file", err)
			}
			if errors.Is(err, errPanic) {
				t.Fatalf("Parse panicked (recovered): %v", err)
			}
			return
		}
		p, err := New(cfg)
		if err != nil {
			t.Fatalf("Parse accepted a config New rejects: %v", err)
		}
		p.Decide(Outcome{Status: 500, Code: 2000, Attempt: 1})
		p.Table("")
	})
}

func readExample(name string) ([]byte, error) {
	return os.ReadFile(filepath.Join("..", "examples", name))
}
