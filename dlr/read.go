package dlr

import (
	"io"
	"net/http"
	"sync/atomic"
	"time"
)

// read reads the request body into s.buf, bounded by MaxBodyBytes and
// ReadTimeout. It returns the body, or a non-zero status to answer: 200
// (counted Oversize) for a body over the limit, 400 (counted ReadFailed)
// for one that did not arrive whole, which 8x8 then sends again.
func (rv *Receiver) read(w http.ResponseWriter, req *http.Request, s *scratch) ([]byte, int) {
	limit := rv.cfg.MaxBodyBytes
	if req.ContentLength > limit {
		w.Header().Set("Connection", "close")
		rv.unused(&rv.c.oversize, "body over MaxBodyBytes", nil, req.ContentLength)
		return nil, http.StatusOK
	}
	deadline := false
	if rv.cfg.ReadTimeout > 0 {
		deadline = http.NewResponseController(w).SetReadDeadline(timeNow().Add(rv.cfg.ReadTimeout)) == nil
	}
	buf := s.buf[:0]
	if cap(buf) == 0 {
		buf = make([]byte, 0, min(4096, limit+1))
	}
	for {
		if len(buf) == cap(buf) {
			grown := make([]byte, len(buf), min(2*int64(cap(buf)), limit+1))
			copy(grown, buf)
			buf = grown
		}
		n, err := req.Body.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > limit {
			// Close the connection rather than let net/http drain the rest.
			s.buf = buf[:0]
			w.Header().Set("Connection", "close")
			rv.unused(&rv.c.oversize, "body over MaxBodyBytes", nil, int64(len(buf)))
			return nil, http.StatusOK
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			// The connection is of no further use; closing it also keeps
			// net/http from waiting to drain a body that stopped coming.
			s.buf = buf[:0]
			w.Header().Set("Connection", "close")
			rv.c.readFailed.Add(1)
			if l := rv.cfg.Logger; l != nil {
				l.Warn("dlr: webhook body not read", "bytes", len(buf), "error", err.Error())
			}
			return nil, http.StatusBadRequest
		}
	}
	if deadline {
		// Cleared once the body is in, so that a wait for queue room is
		// not cut short by the read net/http goes on with in the
		// background.
		_ = http.NewResponseController(w).SetReadDeadline(time.Time{})
	}
	s.buf = buf
	return buf, 0
}

// unused counts a body that is answered 200 but not used, and logs it
// (reason, size and the decoder's error, which quotes no content).
func (rv *Receiver) unused(c *atomic.Uint64, reason string, err error, size int64) {
	c.Add(1)
	if l := rv.cfg.Logger; l != nil {
		if err != nil {
			l.Warn("dlr: webhook body not used", "reason", reason, "bytes", size, "error", err.Error())
		} else {
			l.Warn("dlr: webhook body not used", "reason", reason, "bytes", size)
		}
	}
}
