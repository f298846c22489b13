package envelope

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestDLRCodeTable(t *testing.T) {
	names := map[string]bool{}
	for i, e := range dlrCodeTable {
		if i > 0 && dlrCodeTable[i-1].code >= e.code {
			t.Errorf("table not ascending at %d (%d after %d)", i, e.code, dlrCodeTable[i-1].code)
		}
		if names[strings.ToLower(e.name)] {
			t.Errorf("name %q twice", e.name)
		}
		names[strings.ToLower(e.name)] = true
		if e.code.String() != e.name || !e.code.Known() || e.code.Description() != e.desc {
			t.Errorf("%d: String %q Known %v Description %q", e.code, e.code.String(), e.code.Known(), e.code.Description())
		}
		if (e.code > 1000 && e.code < 1100) != (e.meta != 0) { // 1000 is Meta's 0
			t.Errorf("%d: Meta code %d", e.code, e.meta)
		}
	}
	if len(DLRCodes()) != len(dlrCodeTable) || len(dlrCodeTable) != 61+55+25 {
		t.Errorf("%d codes, want 141", len(dlrCodeTable))
	}
	unknown := DLRCode(6)
	if unknown.Known() || unknown.String() != "DLRCode(6)" || unknown.Description() != "" || unknown.Hint() != HintUnclear ||
		unknown.ChatHint() != HintUnclear || unknown.MetaCode() != 0 || unknown.ChatDescription() != "" {
		t.Errorf("code 6 (not documented) is known: %v", unknown)
	}
	if DLRSubscriberBusy.ChatDescription() != DLRSubscriberBusy.Description() || DLRSubscriberBusy.ChatHint() != HintTransient {
		t.Error("an SMS-only code's chat view is not its SMS view")
	}
	if DLRWhatsAppWindowExpired.MetaCode() != 131047 || DLRViberSent.Hint() != HintNotAnError {
		t.Error("WhatsApp 1022 or Viber 2000")
	}
	for h := HintUnclear; h <= HintNotAnError+1; h++ {
		if h.String() == "" {
			t.Errorf("Hint(%d) has no name", h)
		}
	}
}

// TestDLRCodesCoverFactSheet reads testdata/dlr-error-codes.md (the SMS table
// with its hint column, the chat-apps general, WhatsApp and Viber tables) and
// checks every code there against the table: known, the same reason, the
// same hint for SMS codes, the Meta code for WhatsApp ones.
func TestDLRCodesCoverFactSheet(t *testing.T) {
	b, err := os.ReadFile("testdata/dlr-error-codes.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	chatAt := strings.Index(doc, "### 4.3")
	waAt := strings.Index(doc, "WhatsApp (8x8 code")
	viberAt := strings.Index(doc, "Viber: 2000")
	if chatAt < 0 || waAt < chatAt || viberAt < waAt {
		t.Fatal("testdata/dlr-error-codes.md lost its sections")
	}
	hints := map[string]Hint{"P": HintPermanent, "T": HintTransient, "I": HintIntermediate, "A": HintAccount, "?": HintUnclear}
	cells := func(section string, width int, fn func(code DLRCode, cols []string)) int {
		n := 0
		for _, line := range strings.Split(section, "\n") {
			if !strings.HasPrefix(line, "| ") {
				continue
			}
			cols := strings.Split(strings.Trim(line, "|"), "|")
			for i := 0; i+width <= len(cols); i += width {
				c, err := strconv.Atoi(strings.TrimSpace(cols[i]))
				if err != nil {
					continue
				}
				for j := range cols[i : i+width] {
					cols[i+j] = strings.TrimSpace(cols[i+j])
				}
				fn(DLRCode(c), cols[i+1:i+width])
				n++
			}
		}
		return n
	}
	n := cells(doc[:chatAt], 3, func(c DLRCode, cols []string) {
		if c.Description() != cols[0] || c.Hint() != hints[cols[1]] {
			t.Errorf("SMS %d: %q %v, fact sheet %q %s", c, c.Description(), c.Hint(), cols[0], cols[1])
		}
	})
	n += cells(doc[chatAt:waAt], 3, func(c DLRCode, cols []string) {
		if want := cols[0] + ": " + cols[1]; c.ChatDescription() != want {
			t.Errorf("chat %d: %q, fact sheet %q", c, c.ChatDescription(), want)
		}
	})
	meta := regexp.MustCompile(`^(.*) \((\d+)( per BSUID page)?\)$`)
	n += cells(doc[waAt:viberAt], 2, func(c DLRCode, cols []string) {
		m := meta.FindStringSubmatch(cols[0])
		if m == nil {
			t.Errorf("WhatsApp %d: cannot read %q", c, cols[0])
			return
		}
		if c.Description() != "WhatsApp: "+m[1] || strconv.Itoa(c.MetaCode()) != m[2] {
			t.Errorf("WhatsApp %d: %q %d, fact sheet %q", c, c.Description(), c.MetaCode(), cols[0])
		}
	})
	viber := strings.Join(strings.Fields(doc[viberAt+len("Viber: "):]), " ")
	for _, m := range regexp.MustCompile(`(20\d\d) (.*?)(?: · | \(listed|\. \(There)`).FindAllStringSubmatch(viber, -1) {
		c, _ := strconv.Atoi(m[1])
		if got := DLRCode(c).Description(); got != "Viber: "+m[2] {
			t.Errorf("Viber %d: %q, fact sheet %q", c, got, m[2])
		}
		n++
	}
	if n != 61+18+55+25 {
		t.Errorf("read %d codes from the fact sheet, want %d", n, 61+18+55+25)
	}
}
