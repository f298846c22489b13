package envelope

// The Decode methods share one contract:
//
//   - body must hold exactly one JSON object (surrounded by any JSON
//     whitespace); the result is zeroed first and then filled in from the
//     members the method knows. Members may come in any order; unknown
//     members, of any type and nesting, are validated and skipped; a JSON
//     null leaves a field as it was (its zero value unless an earlier
//     duplicate key set it); with duplicate keys the last one wins (nested
//     objects and "messages" arrays merge, as with encoding/json). Keys
//     match exactly or, failing that, case-insensitively, as with
//     encoding/json.
//     Missing fields are not an error: the caller checks what it needs.
//   - A body that is not valid JSON, or nests deeper than MaxDepth, returns
//     a *SyntaxError. A valid body whose content does not fit (a wrong
//     type, a non-integer or out-of-range count, a malformed UUID or
//     timestamp, a top-level value that is not an object) returns a
//     *FieldError. The result may then be partly filled in.
//   - Strings borrow the body or the Decoder (see Decoder).

var errorKeys = newKeySet("code", "message", "errorId", "timestamp")

// DecodeError decodes the error envelope of a response with HTTP status 400
// or more into e.
func (d *Decoder) DecodeError(body []byte, e *Error) error {
	*e = Error{}
	d.begin(body)
	if d.top() && d.enter() {
		for first := true; ; first = false {
			x, more := d.member(first, errorKeys)
			if !more {
				break
			}
			switch x {
			case 0:
				d.code(&e.Code, "code")
			case 1:
				d.string(&e.Message, "message")
			case 2:
				d.uuid(&e.ErrorID, "errorId")
			case 3:
				d.time(&e.Timestamp, "timestamp")
			default:
				d.skip()
			}
			if d.err != nil {
				break
			}
		}
	}
	return d.end()
}

// DecodeSMS decodes the body of a successful single SMS send into r.
func (d *Decoder) DecodeSMS(body []byte, r *SMSResponse) error {
	*r = SMSResponse{}
	d.begin(body)
	if d.top() {
		d.sms(r)
	}
	return d.end()
}

var smsKeys = newKeySet("umid", "clientMessageId", "destination", "encoding", "status")

// sms decodes the SMS response object at d.pos into r (merging into what
// r already holds).
func (d *Decoder) sms(r *SMSResponse) {
	if !d.enter() {
		return
	}
	for first := true; ; first = false {
		x, more := d.member(first, smsKeys)
		if !more {
			return
		}
		switch x {
		case 0:
			d.string(&r.UMID, "umid")
		case 1:
			d.string(&r.ClientMessageID, "clientMessageId")
		case 2:
			d.string(&r.Destination, "destination")
		case 3:
			d.string(&r.Encoding, "encoding")
		case 4:
			if d.object("status") {
				d.smsStatus(&r.Status)
			}
		default:
			d.skip()
		}
		if d.err != nil {
			return
		}
	}
}

var smsStatusKeys = newKeySet("code", "description")

func (d *Decoder) smsStatus(s *SMSStatus) {
	d.stringMembers(smsStatusKeys, "status.", &s.Code, &s.Description)
}
