package emulator

import (
	"hash/fnv"
	"math/rand/v2"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// DLR makes a Server POST delivery receipts for the messages it accepts,
// as 8x8 does: each accepted copy (a duplicate is a copy with its own umid)
// gets its own receipts, SMS in 8x8's SMS DLR format and chat apps in DR
// v9, with seeded delays, outcomes and error codes, and a failed POST is
// retried on 8x8's schedule. The zero value is off; setting any field turns
// it on (DLR{Scale: 1} posts only to the messages' own dlrCallbackUrls).
//
// Timing is in wall-clock time, multiplied by Scale; the receipts'
// status.timestamp is the acceptance time (Config.Now) plus the unscaled
// delays, as 8x8 would stamp them.
type DLR struct {
	// URL is the account webhook: where receipts go. A message's
	// dlrCallbackUrl (or its batch template's) overrides it. "" posts
	// receipts only for messages that name a dlrCallbackUrl.
	URL string
	// Authorization is the Authorization header of every receipt (the
	// webhook's httpAuthorization); "" sends none.
	Authorization string
	// AnyCallbackHost lets a message's dlrCallbackUrl point to any host.
	// By default only loopback hosts (127.0.0.0/8, ::1, localhost) get
	// receipts, so that an emulator on a shared machine does not POST
	// wherever a request says; receipts for other hosts are counted in
	// DLRStats.Refused and not sent. URL itself may be any host.
	AnyCallbackHost bool

	// Delay is the mean gap before each receipt of a message (the first
	// one after the acceptance, each next one after the previous); each gap
	// is drawn from [0, 2*Delay). Zero sends them at once, in order.
	Delay time.Duration
	// Undelivered is the share (0..1) of messages whose last receipt says
	// undelivered, with an error code drawn from ErrorCodes; the others end
	// delivered (to the recipient).
	Undelivered float64
	// ErrorCodes are the DLR error codes of undelivered receipts; nil means
	// 1 (absent subscriber), 15 (invalid destination), 36 (expired) and 46
	// (subscriber not reachable).
	ErrorCodes []int
	// Repeat is the share (0..1) of messages whose first receipt is posted
	// once more after the last: a redelivery arriving late, as 8x8's
	// retries make happen.
	Repeat float64

	// Retry is the redelivery schedule of a receipt whose POST failed
	// (connection error, timeout, any status outside 2xx): the waits
	// before each new attempt. Nil means 8x8's 1, 10, 30 and 90 s. After
	// the last one the receipt is lost (DLRStats.Lost).
	Retry []time.Duration
	// Scale multiplies Delay and every Retry wait; 0 means 1. A test can
	// run 8x8's two-minute schedule in 131 ms with 0.001.
	Scale float64
	// Timeout bounds one POST (not scaled); 0 means 5 s, the time 8x8
	// gives a webhook to answer.
	Timeout time.Duration
	// Workers bounds the POSTs in flight; 0 means 8.
	Workers int
	// MaxPending bounds the receipts waiting to be posted; past it new
	// ones are dropped and counted (DLRStats.Dropped). 0 means 1,000,000.
	MaxPending int
}

// DefaultDLRRetry is 8x8's redelivery schedule: 1, 10, 30 and 90 s.
var DefaultDLRRetry = []time.Duration{time.Second, 10 * time.Second, 30 * time.Second, 90 * time.Second}

var defaultDLRCodes = []int{1, 15, 36, 46}

// dlrReasons gives the errorMessage of the codes the emulator uses by
// default and a few more (8x8's reasons); others get "Delivery failure".
var dlrReasons = map[int]string{1: "Absent subscriber", 15: "Invalid destination", 36: "SMS expired",
	46: "Subscriber not reachable", 43: "Spam filter", 50: "Throttling error", 1022: "Message window expired",
	1018: "Message undeliverable", 61: "Session expired"}

func (d *DLR) on() bool {
	return d.URL != "" || d.Authorization != "" || d.Delay != 0 || d.Undelivered != 0 || len(d.ErrorCodes) != 0 ||
		d.Repeat != 0 || d.Retry != nil || d.Scale != 0 || d.Timeout != 0 || d.Workers != 0 || d.MaxPending != 0 ||
		d.AnyCallbackHost
}

func (d *DLR) validate() error {
	switch {
	case d.URL != "" && !validCallbackURL(d.URL):
		return &ConfigError{"DLR.URL", "not an absolute http or https URL"}
	case d.Delay < 0:
		return &ConfigError{"DLR.Delay", "must not be negative"}
	case !(d.Undelivered >= 0 && d.Undelivered <= 1):
		return &ConfigError{"DLR.Undelivered", "must be in 0..1"}
	case !(d.Repeat >= 0 && d.Repeat <= 1):
		return &ConfigError{"DLR.Repeat", "must be in 0..1"}
	case !(d.Scale >= 0 && d.Scale <= 1000):
		return &ConfigError{"DLR.Scale", "must be in 0..1000"}
	case d.Timeout < 0:
		return &ConfigError{"DLR.Timeout", "must not be negative"}
	case d.Workers < 0 || d.Workers > 1024:
		return &ConfigError{"DLR.Workers", "must be in 0..1024"}
	case d.MaxPending < 0:
		return &ConfigError{"DLR.MaxPending", "must not be negative"}
	case strings.ContainsAny(d.Authorization, "\r\n"):
		return &ConfigError{"DLR.Authorization", "contains a line break"}
	}
	for i, r := range d.Retry {
		if r < 0 {
			return &ConfigError{"DLR.Retry[" + strconv.Itoa(i) + "]", "must not be negative"}
		}
	}
	for i, c := range d.ErrorCodes {
		if c < 0 {
			return &ConfigError{"DLR.ErrorCodes[" + strconv.Itoa(i) + "]", "must not be negative"}
		}
	}
	return nil
}

// accepted is what the receipts of one accepted copy need to know.
type accepted struct {
	sub, clientMessageID, umid string
	batchID, clientBatchID     string
	chat                       bool
	channel                    string   // chat apps: the first channel, lower case
	user                       chatUser // chat apps
	dest, source               string   // SMS: the destination without '+', the sender ID
	smsCount                   int
	callback                   string // the message's dlrCallbackUrl, "" for none
	copy                       int    // 1 for the first acceptance of its clientMessageId, 2 for the first duplicate, ...
	at                         time.Time
}

// step is one receipt of a plan.
type step struct {
	gap           time.Duration // after the previous step (unscaled)
	state, detail string
	errorCode     int
}

// plan draws the receipts of a: SMS "sent" then the outcome, chat apps
// "queued", "sent" then the outcome, and maybe a late repeat of the first.
// The draws come from a PRNG seeded by the Server's Seed and the message's
// sub-account, clientMessageId (or umid) and copy number, so the same Seed
// gives the same receipts for the same messages in any order of arrival.
func (d *DLR) plan(seed int64, a *accepted) []step {
	h := fnv.New64a()
	id := a.clientMessageID
	if id == "" {
		id = a.umid
	}
	h.Write([]byte(a.sub + "\x00" + id + "\x00" + strconv.Itoa(a.copy)))
	r := rand.New(rand.NewPCG(uint64(seed), h.Sum64()))
	gap := func() time.Duration {
		if d.Delay <= 0 {
			return 0
		}
		return time.Duration(r.Int64N(int64(2 * d.Delay)))
	}
	var steps []step
	if a.chat {
		steps = append(steps, step{gap: gap(), state: "queued"})
	}
	steps = append(steps, step{gap: gap(), state: "sent"})
	final := step{gap: gap(), state: "delivered", detail: "delivered_to_recipient"}
	if r.Float64() < d.Undelivered {
		codes := d.ErrorCodes
		if len(codes) == 0 {
			codes = defaultDLRCodes
		}
		final.state, final.errorCode = "undelivered", codes[r.IntN(len(codes))]
		final.detail = "undelivered_to_recipient"
		if a.chat {
			final.detail = "rejected_by_operator"
		}
	}
	steps = append(steps, final)
	if r.Float64() < d.Repeat {
		again := steps[0]
		again.gap = gap()
		steps = append(steps, again)
	}
	return steps
}

// loopbackURL reports whether u names a loopback host.
func loopbackURL(u string) bool {
	p, err := url.Parse(u)
	if err != nil {
		return false
	}
	host := p.Hostname()
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// smsSegments counts the parts of an SMS text: 160 GSM7 characters (or 70
// UCS2) fit one, longer texts take 153 (67) per part, at most 10.
func smsSegments(text, enc string) int {
	n, one, per := len(text), 160, 153
	if strings.EqualFold(enc, "UCS2") {
		n, one, per = runes(text), 70, 67
	}
	if n <= one {
		return 1
	}
	return min((n+per-1)/per, 10)
}
