package emulator

import (
	"bufio"
	"crypto/subtle"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"
)

// LedgerPath is the path of the server's read-only ledger endpoint: a GET
// answers the ledger as JSONL (see LedgerRecord), oldest first, at most
// Config.LedgerCap lines (?limit=N asks for fewer). It needs the same
// bearer token as the API when Config.APIKey is set, and is not counted in
// Stats. The headers X-Emulator-Ledger-Total (entries in the ledger) and
// X-Emulator-Ledger-Truncated ("true" when the cap left some out) say
// whether the answer is the whole ledger.
const LedgerPath = "/_emulator/ledger"

// DefaultLedgerCap is the most entries the ledger endpoint answers when
// Config.LedgerCap is 0.
const DefaultLedgerCap = 1_000_000

// LedgerRecord is one line of the ledger export: one distinct accepted
// message. The destination is left out (no phone number leaves the
// emulator in an export).
type LedgerRecord struct {
	ClientMessageID string    `json:"clientMessageId"` // "" when the message had none
	UMID            string    `json:"umid"`            // the umid it was first accepted with
	Copies          int       `json:"copies"`          // times accepted; over 1 = duplicates
	Tenant          string    `json:"tenant"`          // the sub-account
	First           time.Time `json:"first"`           // when it was first accepted
}

// WriteJSONL writes the ledger's entries to w as LedgerRecord lines,
// oldest first, at most max of them (max <= 0: DefaultLedgerCap). It
// returns how many it wrote and how many the ledger holds (more than
// written when the cap left some out), and the first write error.
func (l *Ledger) WriteJSONL(w io.Writer, max int) (written, total int, err error) {
	if max <= 0 {
		max = DefaultLedgerCap
	}
	entries := l.Entries()
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	for i := range entries {
		if written == max {
			break
		}
		e := &entries[i]
		if err := enc.Encode(LedgerRecord{ClientMessageID: e.ClientMessageID, UMID: e.UMID, Copies: e.Count, Tenant: e.SubAccount, First: e.First}); err != nil {
			return written, len(entries), err
		}
		written++
	}
	return written, len(entries), bw.Flush()
}

// serveLedger answers a request to LedgerPath.
func (s *Server) serveLedger(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header()["Allow"] = []string{"GET, HEAD"}
		s.writeError(w, http.StatusMethodNotAllowed, apiError{codeInvalidParameter, "Method not allowed: the ledger is read-only"})
		return
	}
	if s.apiKey != nil && subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), s.apiKey) != 1 {
		s.writeError(w, http.StatusUnauthorized, apiError{codeUnauthorized, "Request was not authenticated properly"})
		return
	}
	limit := s.cfg.LedgerCap
	if limit <= 0 {
		limit = DefaultLedgerCap
	}
	if q := r.URL.Query().Get("limit"); q != "" {
		n, err := strconv.Atoi(q)
		if err != nil || n < 0 {
			s.writeError(w, http.StatusBadRequest, apiError{codeInvalidParameter, "limit: want a number of entries, 0 or more"})
			return
		}
		if n < limit {
			limit = n
		}
	}
	total := s.ledger.Unique()
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.Header().Set("X-Emulator-Ledger-Total", strconv.Itoa(total))
	w.Header().Set("X-Emulator-Ledger-Truncated", strconv.FormatBool(total > limit))
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead || limit == 0 {
		return
	}
	_, _, _ = s.ledger.WriteJSONL(w, limit) // a write error: the reader went away
}
