package policy

import (
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

func TestLiveZeroValue(t *testing.T) {
	var l Live
	if l.Load() != Default() {
		t.Error("zero Live does not hold Default()")
	}
	l.Store(nil)
	if l.Load() != Default() {
		t.Error("Store(nil) does not store Default()")
	}
	if NewLive(nil).Load() != Default() {
		t.Error("NewLive(nil) does not hold Default()")
	}
}

func TestLiveSwapUnderLoad(t *testing.T) {
	fail := mustNew(t, Config{Rules: []Rule{{Status: 503, Action: ActionFail}}})
	trip := Default()
	l := NewLive(trip)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				a := l.Load().Decide(Outcome{Status: 503, Attempt: 1}).Action
				if a != ActionFail && a != ActionTrip {
					t.Errorf("action %v from neither policy", a)
					return
				}
			}
		})
	}
	for i := range 1000 {
		if i%2 == 0 {
			l.Store(fail)
		} else {
			l.Store(trip)
		}
	}
	close(stop)
	wg.Wait()
	l.Store(fail)
	if a := l.Load().Decide(Outcome{Status: 503, Attempt: 1}).Action; a != ActionFail {
		t.Errorf("after Store(fail): %v", a)
	}
}

func TestLiveReload(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.yaml")
	bad := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(good, []byte("rules:\n  - {status: 503, action: fail}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte("rules:\n  - {status: 503, action: retyr}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var l Live
	if err := l.Reload(good); err != nil {
		t.Fatalf("Reload(good): %v", err)
	}
	before := l.Load()
	if a := before.Decide(Outcome{Status: 503, Attempt: 1}).Action; a != ActionFail {
		t.Fatalf("reloaded policy: 503 -> %v", a)
	}
	err := l.Reload(bad)
	var ce *ConfigError
	if !errors.As(err, &ce) || ce.Line != 2 || ce.Key != "rules[0].action" {
		t.Fatalf("Reload(bad) = %v, want a *ConfigError at line 2, rules[0].action", err)
	}
	if l.Load() != before {
		t.Error("a failed reload replaced the policy")
	}
	if err := l.Reload(filepath.Join(dir, "missing.yaml")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Reload(missing) = %v, want ErrNotExist", err)
	}
}
