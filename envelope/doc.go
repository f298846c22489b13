// Package envelope is the wire format of the 8x8 SMS and Messaging Apps
// ("chat apps") APIs: allocation-free decoders for every response body the
// send endpoints return and for the webhook bodies 8x8 POSTs (delivery
// receipts, inbound messages), an allocation-free request encoder, and the
// API's and the receipts' error codes as named constants.
//
// # Decoding
//
// A Decoder decodes the error envelope (DecodeError), a single SMS response
// (DecodeSMS), an SMS batch response (DecodeBatch), and the chat-apps single
// and batch responses (DecodeChat, DecodeChatBatch). Its zero value is ready;
// keep one per goroutine and reuse it, and once its scratch buffer and the
// caller's Messages slices have grown to fit, decoding allocates nothing:
//
//	var d envelope.Decoder
//	var e envelope.Error
//	if err := d.DecodeError(body, &e); err != nil {
//		// *envelope.SyntaxError: not JSON; *envelope.FieldError: wrong shape
//	}
//	switch e.Code {
//	case envelope.CodeInvalidMSISDN: ...
//	}
//
// Strings in the results are not copied: they borrow the body, or the
// Decoder's scratch buffer for strings that had escapes or invalid UTF-8.
// They stay valid until the body is modified or the Decoder is used again;
// strings.Clone the ones to keep.
//
// The decoders read JSON exactly as encoding/json reads it into structs
// with the same field names (the package's fuzz tests check this against
// encoding/json on arbitrary input): the same syntax, the same unescaping
// (lone surrogates and invalid UTF-8 become U+FFFD), null leaves a field as
// it was (zero, unless an earlier duplicate key set it), keys match exactly
// or else case-insensitively, the last duplicate key wins (repeated objects
// and "messages" arrays merge into what came before, as encoding/json merges
// them), unknown members of any type are validated and skipped.
// They are stricter in three documented ways: nesting is limited to MaxDepth
// (ErrTooDeep), UUIDs and timestamps are parsed and must be well formed, and
// the body must be an object (not null). Errors are typed: *SyntaxError
// (with the byte offset) when the body is not valid JSON, and *FieldError
// (naming the field, e.g. "messages[3].status.code") when it is valid but
// does not fit the shape. No input makes a decoder panic or read past the
// body.
//
// UUIDs (errorId) are parsed leniently, as uuid.Parse does: neither version
// nor variant is checked, since 8x8 often sends SQL Server sequential GUIDs.
// Timestamps are RFC 3339 with 0 to 9 fractional digits and "Z" or a
// numeric offset; they are returned in time.UTC (the instant is exact; the
// original offset is not kept, since building a zone would allocate).
//
// # Webhooks: delivery receipts and inbound messages
//
// DecodeWebhook decodes any body 8x8 POSTs to a webhook, allocation-free
// like the response decoders: SMS receipts, chat-apps receipts in the v9,
// v8 and flat (Wavecell, version 4) formats, inbound SMS and chat
// messages, and WhatsApp Business App echoes. Webhook.Kind branches on
// namespace and eventType (one SMS webhook gets both receipts and inbound
// SMS); Webhook.Receipt and Webhook.Inbound give one normalized shape per
// kind. A webhook body's "payload" may come before its "namespace", so the
// decoder fills in the union of the fields and the kind is decided after.
//
// State and Detail name every receipt state 8x8 documents; Rank orders them
// (queued 0 < sent 1 < delivered to the operator 2 < delivered to the
// recipient, undelivered, rejected, failed 3 < read 4) and Supersedes says
// whether a receipt replaces the one held, so that a redelivered "sent"
// never undoes "delivered". DLRCode names every receipt error code (its
// own registry, not Code), with 8x8's reason and a Hint (permanent,
// transient, ...), which is our inference: 8x8 documents no permanence.
// LegacyState maps the flat format's status strings.
//
// No error of the package quotes a string of the body, and a number only
// when it has at most six bytes, so no destination or message text reaches
// an error.
//
// # Encoding
//
// AppendSMSRequest, AppendBatchRequest, AppendChatRequest and
// AppendChatBatchRequest append a request body to a buffer, allocating
// nothing when it has room; AppendString appends one JSON string, escaped as
// encoding/json escapes it (without HTML escaping).
//
// # Error codes
//
// Code names every body error code of docs/error-codes.md, plus 429 (the
// rate-limit body code), 1014 (TLS too old), 3060 and 7001. Code.String,
// Code.Description, ParseCode, Codes and Statuses serve logs, config files
// and policy tables.
package envelope
