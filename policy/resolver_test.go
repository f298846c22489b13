package policy

import (
	"testing"

	"github.com/octosend/octosend/envelope"
)

// find returns the first entry of this level matching status and code
// (code 0 = none), in the order status+code, status-class+code, code,
// status, status class; nil when none matches. cls is status/100 (0 for
// statuses outside 100..599).
func (rs *ruleSet) find(status int, cls int, code envelope.Code) *Entry {
	if code != 0 {
		if len(rs.statusCode) != 0 {
			if i, ok := rs.statusCode[statusCodeKey(status, code)]; ok {
				return &rs.entries[i]
			}
			if cls != 0 {
				if i, ok := rs.statusCode[statusCodeKey(cls, code)]; ok {
					return &rs.entries[i]
				}
			}
		}
		if len(rs.code) != 0 {
			if i, ok := rs.code[code]; ok {
				return &rs.entries[i]
			}
		}
	}
	if len(rs.status) != 0 {
		if i, ok := rs.status[status]; ok {
			return &rs.entries[i]
		}
	}
	if i := rs.class[cls]; i != 0 {
		return &rs.entries[i-1]
	}
	return nil
}

// oracle is the resolution order written the obvious way: walk the
// levels, asking each for its first match. The flattened resolver must
// agree with it everywhere.
func oracle(p *Policy, tenant string, status int, code envelope.Code) *Entry {
	cls := 0
	if status >= 100 && status <= 599 {
		cls = status / 100
	}
	if status < 400 {
		code = 0
	}
	t := p.tenant(tenant)
	if t.rules != nil {
		if e := t.rules.find(status, cls, code); e != nil {
			return e
		}
	}
	if e := p.rules.find(status, cls, code); e != nil {
		return e
	}
	if e := builtin.defaults.find(status, cls, code); e != nil {
		return e
	}
	return &builtin.classes[cls]
}

func TestResolverMatchesOracle(t *testing.T) {
	policies := map[string]*Policy{
		"default": Default(),
		"bench":   benchPolicy(t),
		"layered": mustNew(t, Config{
			Rules: []Rule{
				{Status: 503, Code: 2000, Action: ActionHalt},
				{StatusClass: "4xx", Code: 2000, Action: ActionTrip},
				{Code: 2000, Action: ActionFail},
				{Code: 9000, Action: ActionRetry},
				{Code: 50000, Action: ActionRetry},
				{Status: 503, Action: ActionBackoff},
				{StatusClass: "5xx", Action: ActionOK},
				{StatusClass: "2xx", Action: ActionFail},
			},
			Tenants: map[string]Tenant{
				"acme": {Rules: []Rule{
					{Status: 500, Code: 2000, Action: ActionOK},
					{StatusClass: "5xx", Code: 1002, Action: ActionRetry},
					{Code: 3038, Action: ActionBackoff},
					{Code: 60000, Action: ActionHalt},
					{Status: 500, Action: ActionHalt},
					{StatusClass: "4xx", Action: ActionRetry},
				}},
				"plain": {Retry: Retry{MaxAttempts: 2}},
				// Rules only a tenant's overlay holds, against config
				// pairs and codes of every level.
				"codes": {Rules: []Rule{
					{Code: 2000, Action: ActionOK},
					{Code: 77777, Action: ActionFail},
					{Status: 503, Code: 1002, Action: ActionHalt},
					{StatusClass: "4xx", Code: 9000, Action: ActionBackoff},
					{Status: 404, Action: ActionTrip},
					{StatusClass: "2xx", Action: ActionRetry},
				}},
			},
		}),
	}
	codes := append(envelope.Codes(), 0, 1, 4018, 8191, 8192, 9000, 50000, 60000, 77777, 99999, -5)
	var statuses []int
	for s := -1; s <= 700; s++ {
		if s != 0 {
			statuses = append(statuses, s)
		}
	}
	statuses = append(statuses, 1<<20, -1<<20)
	for name, p := range policies {
		for _, tenant := range []string{"", "acme", "plain", "codes", "nobody"} {
			n := 0
			for _, s := range statuses {
				for _, c := range codes {
					got := p.Decide(Outcome{Tenant: tenant, Status: s, Code: c, Attempt: 1})
					want := oracle(p, tenant, s, c)
					if got.Action != want.Action || got.Reason != want.Reason {
						if n++; n <= 5 {
							t.Errorf("%s tenant %q status %d code %d: Decide = %v %q, oracle = %v %q", name, tenant, s, c, got.Action, got.Reason, want.Action, want.Reason)
						}
					}
				}
			}
		}
	}
}
