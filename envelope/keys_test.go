package envelope

import (
	"encoding/json"
	"testing"
)

// TestKeyMatching runs bodies whose keys sit at the edges of the fast key
// matcher through DecodeSMS and checks the result against encoding/json.
func TestKeyMatching(t *testing.T) {
	bodies := []string{
		`{"umid":"a","clientMessageId":"b","destination":"c","encoding":"d","status":{"code":"e","description":"f"}}`,
		`{ "umid" : "a" , "clientMessageId"	:"b",` + "\n" + `"status" :{ "code" : "e" } }`,
		`{"umi":"x","umidx":"y","umid":"a","clientMessageIdX":"z","clientMessageI":"w"}`,
		`{"UMID":"a","ClientMessageId":"b","\u0075mid":"c"}`,
		`{"x":1,"umid":"a"}`,
		`{"umid":"a"}`,                   // key within 17 bytes of the end
		`{"status":{"code":"Q"}}`,        // nested, short body
		`{"clientMessageId":"b"}`,        // 15-byte key
		`{"encoding":"GSM7","code":"x"}`, // a key of another object
		`{"umid"  :  "a"  }`,
		`{"description":"top-level description is unknown here","status":{"description":"d"}}`,
	}
	var d Decoder
	for _, body := range bodies {
		var got SMSResponse
		if err := d.DecodeSMS([]byte(body), &got); err != nil {
			t.Errorf("DecodeSMS(%s): %v", body, err)
			continue
		}
		var ref refSMS
		if err := json.Unmarshal([]byte(body), &ref); err != nil {
			t.Fatal(err)
		}
		checkSMS(t, &got, &ref)
	}
	// A matched key must still be followed by ':'.
	for _, body := range []string{`{"umid" "a"}`, `{"umid",:"a"}`, `{"umid":`, `{"umid"}`, `{,"umid":"a"}`, `{"umid":"a""encoding":"b"}`} {
		var got SMSResponse
		var se *SyntaxError
		if err := d.DecodeSMS([]byte(body), &got); !asSyntax(err, &se) {
			t.Errorf("DecodeSMS(%s) = %v, want *SyntaxError", body, err)
		}
	}
}

func asSyntax(err error, se **SyntaxError) bool {
	e, ok := err.(*SyntaxError)
	*se = e
	return ok
}
