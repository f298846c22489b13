package policy

import "sync/atomic"

// Live holds the current Policy and lets it be replaced at run time (a
// config reload) while sends keep deciding: Load is one atomic read, with
// no lock on the decision path. The zero value is ready and holds
// Default(). A *Live is safe for concurrent use.
type Live struct {
	p atomic.Pointer[Policy]
}

// NewLive returns a Live holding p (nil = Default()).
func NewLive(p *Policy) *Live {
	l := &Live{}
	l.Store(p)
	return l
}

// Load returns the current policy.
func (l *Live) Load() *Policy {
	if p := l.p.Load(); p != nil {
		return p
	}
	return Default()
}

// Store makes p the current policy (nil = Default()). Sends that already
// loaded the old policy finish with it.
func (l *Live) Store(p *Policy) {
	if p == nil {
		p = Default()
	}
	l.p.Store(p)
}

// Reload loads the config file at path and, if it is valid, makes it the
// current policy. On error the current policy stays and the error (a
// *ConfigError for a bad file) is returned.
func (l *Live) Reload(path string) error {
	p, err := Load(path)
	if err != nil {
		return err
	}
	l.Store(p)
	return nil
}
