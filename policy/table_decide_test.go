package policy

import (
	"testing"

	"github.com/octosend/octosend/envelope"
)

// lookupTable reads tbl the way Table's doc says to: status/code,
// class/code, code (statuses >= 400), status, class.
func lookupTable(tbl []Entry, status int, code envelope.Code) (Entry, bool) {
	class := string(rune('0'+status/100)) + "xx"
	var byPair, byClassCode, byCode, byStatus, byClass *Entry
	for i := range tbl {
		e := &tbl[i]
		switch {
		case e.Status == 0 && e.StatusClass == "" && e.Code == 0:
			// transport row
		case e.Code != 0 && e.Code != code:
			// another code's row
		case e.Code != 0 && e.Status == status:
			byPair = e
		case e.Code != 0 && e.StatusClass == class:
			byClassCode = e
		case e.Code != 0 && e.Status == 0 && e.StatusClass == "":
			byCode = e
		case e.Code == 0 && e.Status == status:
			byStatus = e
		case e.Code == 0 && e.StatusClass == class:
			byClass = e
		}
	}
	if status < 400 {
		byPair, byClassCode, byCode = nil, nil, nil
	}
	for _, e := range []*Entry{byPair, byClassCode, byCode, byStatus, byClass} {
		if e != nil {
			return *e, true
		}
	}
	return Entry{}, false
}

// TestTableIsDecide: for the built-in policy and for configs whose rules
// overlap the built-in entries at other levels (a class rule over exact
// statuses, a code rule over a status rule, a tenant's status rule over a
// config code rule), Table read as its doc says gives, for every status
// 100-599 and every known code (and none, and an unknown one), the action
// and reason Decide returns, per tenant.
func TestTableIsDecide(t *testing.T) {
	configs := map[string]string{
		"default": "",
		"class rule": `
rules:
  - status: 5xx
    action: fail
    reason: my class rule
`,
		"code over status": `
rules:
  - code: 2000
    action: fail
    reason: code 2000 fails
  - status: 429
    action: retry
    reason: 429 plain retry
tenants:
  acme:
    rules:
      - status: 500
        action: retry
        reason: acme retries 500
      - status: 4xx
        action: fail
        reason: acme 4xx fail
`,
	}
	codes := append([]envelope.Code{0, 9999}, envelope.Codes()...)
	for name, yml := range configs {
		t.Run(name, func(t *testing.T) {
			p := Default()
			if yml != "" {
				cfg, err := Parse(name+".yaml", []byte(yml))
				if err != nil {
					t.Fatal(err)
				}
				if p, err = New(cfg); err != nil {
					t.Fatal(err)
				}
			}
			for _, tenant := range append([]string{""}, p.Tenants()...) {
				tbl := p.Table(tenant)
				for status := 100; status < 600; status++ {
					for _, code := range codes {
						d := p.Decide(Outcome{Tenant: tenant, Status: status, Code: code, Attempt: 1})
						e, ok := lookupTable(tbl, status, code)
						if !ok {
							t.Fatalf("tenant %q: no table row for %d/%d", tenant, status, code)
						}
						if e.Action != d.Action || e.Reason != d.Reason {
							t.Fatalf("tenant %q, status %d code %d: table row %q says %v (%q), Decide says %v (%q)",
								tenant, status, code, e.Match(), e.Action, e.Reason, d.Action, d.Reason)
						}
					}
				}
			}
		})
	}
}
