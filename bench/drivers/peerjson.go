package drivers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
)

// The request and response shapes as a user of a generic HTTP stack writes
// them: plain structs and encoding/json.

type smsRequest struct {
	Destination     string `json:"destination"`
	Text            string `json:"text"`
	ClientMessageID string `json:"clientMessageId,omitempty"`
}

type smsResponse struct {
	UMID            string `json:"umid"`
	ClientMessageID string `json:"clientMessageId"`
	Status          struct {
		Code        string `json:"code"`
		Description string `json:"description"`
	} `json:"status"`
}

type apiErrorBody struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// StatusError is a peer driver's error for a final non-2xx response.
type StatusError struct {
	Status int
	Code   int
	Msg    string
}

func (e *StatusError) Error() string {
	return "drivers: HTTP " + strconv.Itoa(e.Status) + " code " + strconv.Itoa(e.Code) + ": " + e.Msg
}

// errRejected is a 200 whose status is REJECTED.
var errRejected = errors.New("drivers: message rejected")

// encodeSMS returns the JSON body for m.
func encodeSMS(m Message) []byte {
	b, err := json.Marshal(smsRequest{Destination: m.Destination, Text: m.Text, ClientMessageID: m.ID})
	if err != nil {
		panic("drivers: encoding a request: " + err.Error()) // plain strings: cannot fail
	}
	return b
}

// newRequest builds the POST for m, with the headers every driver sends.
func newRequest(ctx context.Context, env Env, body []byte) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, env.URL(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+env.APIKey)
	return req, nil
}

// readOutcome reads and closes resp's body and turns it into an Outcome.
func readOutcome(resp *http.Response) Outcome {
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return Outcome{Status: resp.StatusCode, Err: err}
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		var r smsResponse
		if err := json.Unmarshal(body, &r); err != nil {
			return Outcome{Status: resp.StatusCode, Err: err}
		}
		if r.Status.Code == "REJECTED" {
			return Outcome{Status: resp.StatusCode, Err: errRejected}
		}
		return Outcome{Accepted: true, Status: resp.StatusCode}
	}
	var e apiErrorBody
	_ = json.Unmarshal(body, &e) // a garbled error body still has a status
	return Outcome{Status: resp.StatusCode, Code: e.Code, Err: &StatusError{resp.StatusCode, e.Code, e.Message}}
}

// drain reads what is left of a response body (bounded) and closes it, so
// the connection goes back to the pool.
func drain(resp *http.Response) {
	if resp == nil || resp.Body == nil {
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	_ = resp.Body.Close()
}
