package envelope

import "time"

// SMSRequest is one SMS to send: the body of a single send, or one item of a
// batch's "messages". Empty strings and zero times are left out of the JSON,
// except Destination and Text on a single send, which the API requires.
type SMSRequest struct {
	Destination     string    // "destination": E.164, with or without "+"
	Country         string    // "country": ISO 3166-1 alpha-2, for national numbers
	Source          string    // "source": the sender id
	ClientMessageID string    // "clientMessageId": the caller's reference (max 350)
	Text            string    // "text": the message; in a batch item, "" means the template's
	Encoding        string    // "encoding": "AUTO", "GSM7" or "UCS2"
	Scheduled       time.Time // "scheduled": zero = send now
	Expiry          time.Time // "expiry": zero = none
	DLRCallbackURL  string    // "dlrCallbackUrl"
	ClientIP        string    // "clientIp"
	Track           string    // "track": "None" or "Outcome"
}

// SMSTemplate holds the defaults of a batch ("template"). Empty fields are
// left out.
type SMSTemplate struct {
	Text, Source, Encoding string
	Scheduled, Expiry      time.Time
	DLRCallbackURL         string
}

// BatchRequest is the body of an SMS batch send. Messages (personalised
// mode) wins over Destinations (shared-content mode) when both are set, as
// on the API; only one of them is encoded.
type BatchRequest struct {
	ClientBatchID             string // "clientBatchId" (max 20); "" = omitted
	Template                  SMSTemplate
	Messages                  []SMSRequest
	Destinations              []string
	IncludeMessagesInResponse bool   // encoded only when true
	ClientIP                  string // "" = omitted
}

// AppendSMSRequest appends the JSON body of a single SMS send to dst and
// returns the extended buffer. It allocates only if dst lacks capacity.
func AppendSMSRequest(dst []byte, r *SMSRequest) []byte {
	return appendSMS(dst, r, true)
}

func appendSMS(dst []byte, r *SMSRequest, single bool) []byte {
	var o object
	dst = append(dst, '{')
	if single {
		dst = o.str(dst, "destination", r.Destination)
	} else {
		dst = o.optStr(dst, "destination", r.Destination)
	}
	dst = o.optStr(dst, "country", r.Country)
	dst = o.optStr(dst, "source", r.Source)
	dst = o.optStr(dst, "clientMessageId", r.ClientMessageID)
	if single {
		dst = o.str(dst, "text", r.Text)
	} else {
		dst = o.optStr(dst, "text", r.Text)
	}
	dst = o.optStr(dst, "encoding", r.Encoding)
	dst = o.optTime(dst, "scheduled", r.Scheduled)
	dst = o.optTime(dst, "expiry", r.Expiry)
	dst = o.optStr(dst, "dlrCallbackUrl", r.DLRCallbackURL)
	dst = o.optStr(dst, "clientIp", r.ClientIP)
	dst = o.optStr(dst, "track", r.Track)
	return append(dst, '}')
}

// AppendBatchRequest appends the JSON body of an SMS batch send to dst and
// returns the extended buffer. It allocates only if dst lacks capacity.
func AppendBatchRequest(dst []byte, r *BatchRequest) []byte {
	var o object
	dst = append(dst, '{')
	dst = o.optStr(dst, "clientBatchId", r.ClientBatchID)
	if t := &r.Template; *t != (SMSTemplate{}) {
		var to object
		dst = append(o.key(dst, "template"), '{')
		dst = to.optStr(dst, "text", t.Text)
		dst = to.optStr(dst, "source", t.Source)
		dst = to.optStr(dst, "encoding", t.Encoding)
		dst = to.optTime(dst, "scheduled", t.Scheduled)
		dst = to.optTime(dst, "expiry", t.Expiry)
		dst = to.optStr(dst, "dlrCallbackUrl", t.DLRCallbackURL)
		dst = append(dst, '}')
	}
	switch {
	case len(r.Messages) > 0:
		dst = append(o.key(dst, "messages"), '[')
		for i := range r.Messages {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendSMS(dst, &r.Messages[i], false)
		}
		dst = append(dst, ']')
	case len(r.Destinations) > 0:
		dst = append(o.key(dst, "destinations"), '[')
		for i, d := range r.Destinations {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = AppendString(dst, d)
		}
		dst = append(dst, ']')
	}
	dst = o.optBool(dst, "includeMessagesInResponse", r.IncludeMessagesInResponse)
	dst = o.optStr(dst, "clientIp", r.ClientIP)
	return append(dst, '}')
}
