package client

import (
	"encoding/json"
	"errors"

	"github.com/octosend/octosend/envelope"
	"github.com/octosend/octosend/internal/redact"
)

// Server text — an error envelope's message, a rejected message's
// description, a decoder's quote of a response value — is masked before
// it reaches an error, a log record, a hook or a result: the message's own
// destinations and texts, and any phone-like run of 7 or more digits (see
// internal/redact). The errorId and the code are kept.

// secrets are what a request carried that no error, log or hook may show.
type secrets struct {
	dests, texts []string
}

func (s *secrets) mask(text string) string { return redact.Mask(text, s.dests, s.texts) }

// maskOne masks text with one destination and one message text, without
// allocating when there is nothing to mask.
func maskOne(text, dest, msgText string) string {
	if text == "" {
		return text
	}
	d, t := [1]string{dest}, [1]string{msgText}
	return redact.Mask(text, d[:], t[:])
}

// addSMS adds an SMS item's destination and text (tmpl is the batch
// template's text, "" for a single send).
func (s *secrets) addSMS(r *envelope.SMSRequest, tmpl string) {
	s.dests = appendSet(s.dests, r.Destination)
	s.texts = appendSet(s.texts, r.Text)
	s.texts = appendSet(s.texts, tmpl)
}

// addChat adds a chat message's user ids and texts: the content's text and
// fallback text, its template's parameters (texts, payloads, coupons,
// locations), carousel cards included, and an interactive message's texts,
// payload and Flow token.
func (s *secrets) addChat(r *envelope.ChatRequest) {
	u := &r.User
	s.dests = appendSet(s.dests, u.MSISDN)
	s.dests = appendSet(s.dests, u.LineUserID)
	s.dests = appendSet(s.dests, u.ChannelUserID)
	s.texts = appendSet(s.texts, r.Content.Text)
	s.texts = appendSet(s.texts, r.Content.FallbackText)
	if l := r.Content.Location; l != nil {
		s.texts = appendSet(s.texts, l.Name)
		s.texts = appendSet(s.texts, l.Address)
	}
	if t := r.Content.Template; t != nil {
		s.addComponents(t.Components)
	}
	if in := r.Content.Interactive; in != nil {
		s.texts = appendSet(s.texts, in.Body)
		s.texts = appendSet(s.texts, in.Footer)
		if in.Header != nil {
			s.texts = appendSet(s.texts, in.Header.Text)
		}
		if p := in.Action.Parameters; p != nil {
			s.texts = appendSet(s.texts, p.Payload)
			s.texts = appendSet(s.texts, p.FlowToken)
		}
	}
}

func (s *secrets) addComponents(cs []envelope.ChatTemplateComponent) {
	for i := range cs {
		for j := range cs[i].Parameters {
			p := &cs[i].Parameters[j]
			s.texts = appendSet(s.texts, p.Text)
			s.texts = appendSet(s.texts, p.Payload)
			s.texts = appendSet(s.texts, p.CouponCode)
			if l := p.Location; l != nil {
				s.texts = appendSet(s.texts, l.Name)
				s.texts = appendSet(s.texts, l.Address)
			}
		}
		for k := range cs[i].Cards {
			s.addComponents(cs[i].Cards[k].Components)
		}
	}
}

func appendSet(list []string, v string) []string {
	if v == "" {
		return list
	}
	for _, have := range list {
		if have == v {
			return list
		}
	}
	return append(list, v)
}

// Keys of a request body whose string values are secrets, wherever they
// appear (a single send, a batch item, a template, a chat user).
var (
	destKeys = map[string]bool{"destination": true, "destinations": true, "msisdn": true, "lineUserId": true, "channelUserId": true}
	textKeys = map[string]bool{"text": true, "fallbackText": true, "payload": true, "couponCode": true, "address": true, "flowToken": true}
)

// bodySecrets returns the secrets of an encoded request: what the server
// saw, for single sends and batch chunks alike. It runs only on a failed
// send's way out, so it may take its time.
func bodySecrets(body []byte) secrets {
	var v any
	var s secrets
	if json.Unmarshal(body, &v) != nil {
		return s
	}
	seen := make(map[string]bool)
	var walk func(v any, key string)
	walk = func(v any, key string) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				walk(x, k)
			}
		case []any:
			for _, x := range v {
				walk(x, key)
			}
		case string:
			if v == "" || seen[v] {
				return
			}
			switch {
			case destKeys[key]:
				seen[v] = true
				s.dests = append(s.dests, v)
			case textKeys[key]:
				seen[v] = true
				s.texts = append(s.texts, v)
			}
		}
	}
	walk(v, "")
	return s
}

// redactErr masks the server text of a failed send's error in place:
// an *APIError's Message and Reason, an *envelope.FieldError's Msg, and
// the transport error of a *SendError (net/http quotes a malformed
// response line), which is then wrapped so that its Error() is masked
// while errors.Is and errors.As still see it. The request body is parsed
// for the message's secrets only when there is server text to mask.
func (st *call) redactErr(err error) {
	var sec *secrets
	mask := func(s string) string {
		if s == "" {
			return s
		}
		if sec == nil {
			b := bodySecrets(st.body)
			sec = &b
		}
		return sec.mask(s)
	}
	if ae, ok := errors.AsType[*APIError](err); ok {
		ae.Message = mask(ae.Message)
		ae.Reason = mask(ae.Reason)
	}
	if fe, ok := errors.AsType[*envelope.FieldError](err); ok {
		fe.Msg = mask(fe.Msg)
	}
	if e, ok := err.(*SendError); ok && st.netErr != nil {
		e.Err = maskInner(e.Err, mask)
	}
}

// maskInner returns err, or err wrapped in a maskedError when masking
// changes its text.
func maskInner(err error, mask func(string) string) error {
	if err == nil {
		return nil
	}
	text := err.Error()
	if m := mask(text); m != text {
		return &maskedError{text: m, err: err}
	}
	return err
}

// maskedError shows a masked text for an error it wraps unchanged.
type maskedError struct {
	text string
	err  error
}

func (e *maskedError) Error() string { return e.text }

func (e *maskedError) Unwrap() error { return e.err }
