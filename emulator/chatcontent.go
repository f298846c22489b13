package emulator

// The typed parts of a chat message besides templates: a quoted reply's
// context, location content and interactive content, as the chat-apps
// spec (business_messaging_api.json) defines them.

// chatContext is a quoted reply's "context".
type chatContext struct {
	UMID string `json:"umid"`
}

// checkContext validates a quoted reply: the umid is required and is a
// GUID (8-4-4-4-12 hex digits; version and variant are not checked).
func checkContext(c *chatContext) *apiError {
	switch {
	case c == nil:
		return nil
	case c.UMID == "":
		return &apiError{codeMissedUMID, "Missed UMID"}
	case !validGUID(c.UMID):
		return &apiError{codeInvalidParameter, "Invalid umid."}
	}
	return nil
}

// validGUID reports whether s is 8-4-4-4-12 hexadecimal digits.
func validGUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}
