package client

import (
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/octosend/octosend/policy"
)

// halts is the list of halted tenants. The atomic count keeps the check
// lock-free while no tenant is halted.
type halts struct {
	n  atomic.Int32
	mu sync.Mutex
	m  map[string]haltEntry
}

type haltEntry struct {
	until time.Time
	pol   *policy.Policy // a different policy (a reload) lifts the halt
}

func (h *halts) halt(tenant string, until time.Time, pol *policy.Policy) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.m == nil {
		h.m = make(map[string]haltEntry)
	}
	if _, ok := h.m[tenant]; !ok {
		h.n.Add(1)
	}
	h.m[tenant] = haltEntry{until: until, pol: pol}
}

func (h *halts) check(tenant string, now time.Time, pol *policy.Policy) error {
	if h.n.Load() == 0 {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	e, ok := h.m[tenant]
	if !ok {
		return nil
	}
	if e.pol != pol || !now.Before(e.until) {
		delete(h.m, tenant)
		h.n.Add(-1)
		return nil
	}
	return haltedError{tenant: tenant, left: e.until.Sub(now)}
}

// maxCachedTenants bounds the URL cache; tenants past it get their URLs
// built per send.
const maxCachedTenants = 10_000

// urlCache holds each tenant's endpoint URLs, by kind, so a send does not
// build or parse them again. Entries never change once stored, and the
// parsed URLs are shared by every request: net/http does not modify a
// request's URL (nor may a RoundTripper).
type urlCache struct {
	mu sync.RWMutex
	m  map[string]*endpoints
}

// endpoints are a tenant's URLs, by kind.
type endpoints struct {
	s   [4]string
	u   [4]*url.URL
	err error // a URL that does not parse (the tenant was validated: never)
}

func endpoint(base, tenant string, k kind) string {
	return base + "/api/v1/subaccounts/" + tenant + pathSuffix(k)
}

// endpoint returns the URL of kind k for tenant, as text and parsed.
func (c *Client) endpoint(tenant string, k kind) (string, *url.URL, error) {
	c.urls.mu.RLock()
	e := c.urls.m[tenant]
	c.urls.mu.RUnlock()
	if e != nil {
		return e.s[k], e.u[k], e.err
	}
	e = &endpoints{s: [4]string{
		kindSMS:       endpoint(c.smsBase, tenant, kindSMS),
		kindSMSBatch:  endpoint(c.smsBase, tenant, kindSMSBatch),
		kindChat:      endpoint(c.chatBase, tenant, kindChat),
		kindChatBatch: endpoint(c.chatBase, tenant, kindChatBatch),
	}}
	for i, s := range e.s {
		if e.u[i], e.err = url.Parse(s); e.err != nil {
			break
		}
	}
	c.urls.mu.Lock()
	if c.urls.m == nil {
		c.urls.m = make(map[string]*endpoints)
	}
	if len(c.urls.m) < maxCachedTenants {
		c.urls.m[tenant] = e
	}
	c.urls.mu.Unlock()
	return e.s[k], e.u[k], e.err
}
