package policy

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func checkErrs(t *testing.T, name, data string) *ConfigErrors {
	t.Helper()
	err := Check(name, []byte(data), 0)
	if err == nil {
		return nil
	}
	var ce *ConfigErrors
	if !errors.As(err, &ce) {
		t.Fatalf("Check returned %T (%v), want *ConfigErrors", err, err)
	}
	return ce
}

func TestCheckReportsEveryProblem(t *testing.T) {
	const file = `semantics: at_least_once
retry:
  max_attempts: 50
  base_delay: 20s
  max_delay: 1m
  dedline: 5s
limits:
  rate: 0
rules:
  - status: 503
    action: retyr
  - status: 404
    action: fail
  - code: 1002
tenants:
  acme:
    retry:
      deadline: 25h
`
	got := checkErrs(t, "p.yaml", file)
	if got == nil {
		t.Fatal("Check accepted a file with six problems")
	}
	want := []string{
		"policy: p.yaml:3: retry.max_attempts: max_attempts 50 out of range (want 1..20)",
		`policy: p.yaml:6: retry.dedline: unknown key "dedline" (want one of ` + strings.Join(retryKeys, ", ") + ")",
		"policy: p.yaml:8: limits.rate: rate must be over 0; leave the key out for the default",
		`policy: p.yaml:11: rules[0].action: unknown action "retyr" (want one of ` + actionList + ")",
		"policy: p.yaml:14: rules[2].action: missing action (want one of " + actionList + ")",
		"policy: p.yaml:18: tenants.acme.retry.deadline: 25h0m0s is over the limit of 24h0m0s",
	}
	var lines []string
	for _, e := range got.Errs {
		lines = append(lines, e.Error())
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") || got.More {
		t.Errorf("got (more=%v)\n%s\nwant\n%s", got.More, strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	// base_delay 20s is fine with the file's max_delay 1m: checking keys
	// one by one must not report it against the default max_delay.
	for _, l := range lines {
		if strings.Contains(l, "retry.base_delay:") {
			t.Errorf("false problem: %s", l)
		}
	}
	if !strings.HasPrefix(got.Error(), want[0]+" (and 5 other problems)") {
		t.Errorf("Error() = %q", got.Error())
	}
}

func TestCheckCrossKeyProblems(t *testing.T) {
	got := checkErrs(t, "p.yaml", "retry:\n  base_delay: 2m\n  max_delay: 1m\n  multiplier: 20\n")
	if got == nil || len(got.Errs) != 2 ||
		!strings.Contains(got.Errs[0].Error(), "p.yaml:2: retry.base_delay: base_delay 2m0s is over max_delay 1m0s") ||
		!strings.Contains(got.Errs[1].Error(), "p.yaml:4: retry.multiplier") {
		t.Errorf("got %v, want base_delay over max_delay and the multiplier", got)
	}
}

func TestCheckBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("rules:\n")
	for i := range 50 {
		b.WriteString("  - status: " + strconv.Itoa(400+i) + "\n    action: nope\n")
	}
	got := checkErrs(t, "p.yaml", b.String())
	if got == nil || len(got.Errs) != DefaultMaxProblems || !got.More {
		t.Fatalf("got %v, want %d problems and More", got, DefaultMaxProblems)
	}
	if !strings.Contains(got.Error(), "and more than 19 other problems") {
		t.Errorf("Error() = %q", got.Error())
	}
	if got := Check("p.yaml", []byte(b.String()), 3).(*ConfigErrors); len(got.Errs) != 3 || !got.More {
		t.Errorf("max 3: got %d problems, more=%v", len(got.Errs), got.More)
	}
}

// TestCheckAgreesWithParse: Check accepts exactly what Parse accepts, and
// reports the problem Parse reports among its own.
func TestCheckAgreesWithParse(t *testing.T) {
	var files []string
	for _, glob := range []string{"../examples/policy.*", "testdata/config/*.yaml", "testdata/config/*.json"} {
		m, _ := filepath.Glob(glob)
		files = append(files, m...)
	}
	if len(files) < 10 {
		t.Fatalf("only %d files", len(files))
	}
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		checkAgrees(t, path, data)
	}
}

func checkAgrees(t *testing.T, name string, data []byte) {
	t.Helper()
	_, perr := Parse(name, data)
	cerr := Check(name, data, 0)
	if (perr == nil) != (cerr == nil) {
		t.Fatalf("%s: Parse says %v, Check says %v", name, perr, cerr)
	}
	if perr == nil {
		return
	}
	ce, ok := cerr.(*ConfigErrors)
	if !ok || len(ce.Errs) == 0 || len(ce.Errs) > DefaultMaxProblems {
		t.Fatalf("%s: Check returned %#v", name, cerr)
	}
	if ce.More {
		return
	}
	for _, e := range ce.Errs {
		if e.Error() == perr.Error() {
			return
		}
	}
	t.Fatalf("%s: Parse's problem %q is not among Check's: %v", name, perr, ce.Errs)
}

func FuzzCheck(f *testing.F) {
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
		checkAgrees(t, name, data)
		if err := Check(name, data, 0); err != nil && errors.Is(err, errPanic) {
			t.Fatalf("Check panicked (recovered): %v", err)
		}
	})
}
