package policy

// The built-in table. Every HTTP status of docs/error-codes.md and
// docs/8x8-api.md and every API body code is named here with a one-line reason;
// TestDefaultTableCoversEnvelope fails when envelope learns a code that is
// missing here. Codes are written as numbers so the table reads like the
// registry it mirrors; the rendered reason adds the envelope name.

type statusDefault struct {
	status int
	name   string // the HTTP reason phrase
	action Action
	text   string
}

type codeDefault struct {
	code   int
	action Action
	text   string
}

var defaultStatuses = [...]statusDefault{
	{200, "OK", ActionOK, "accepted with the umid in its body (check status.code: REJECTED comes in a 200); a body without a umid is ambiguous and retried as after a reset"},
	{201, "Created", ActionOK, "accepted with the umid in its body; without one, ambiguous and retried as after a reset"},
	{202, "Accepted", ActionOK, "accepted with the umid in its body; without one (an empty 202), ambiguous and retried as after a reset"},
	{204, "No Content", ActionOK, "8x8 documents no 204 for a send: no body means no umid, so ambiguous and retried as after a reset"},
	{400, "Bad Request", ActionFail, "invalid request; retrying sends the same error, fix it"},
	{401, "Unauthorized", ActionHalt, "API key missing, wrong or disabled: stop the tenant until the key is fixed"},
	{403, "Forbidden", ActionHalt, "sub-account not permitted (e.g. not prepaid): stop the tenant until the account is fixed"},
	{404, "Not Found", ActionFail, "no such resource; retrying cannot find it"},
	{408, "Request Timeout", ActionRetry, "the server gave up reading the request before processing it; safe to retry"},
	{409, "Conflict", ActionFail, "conflicting state (template being deleted); retrying now repeats it"},
	{410, "Gone", ActionFail, "API version no longer supported; upgrade the client"},
	{413, "Content Too Large", ActionFail, "request too large; split or shrink it"},
	{422, "Unprocessable Entity", ActionFail, "well-formed but semantically invalid; fix the request"},
	{426, "Upgrade Required", ActionFail, "TLS version too old (1.3 required); fix the TLS config, retrying cannot help"},
	{429, "Too Many Requests", ActionBackoff, "rate limited: this message waits for Retry-After and retries; the tenant is paused and slowed only when 429s cluster (limits.throttle_*)"},
	{500, "Internal Server Error", ActionTrip, "server fault: the message may have been accepted; retry with backoff, count against the breaker"},
	{501, "Not Implemented", ActionFail, "the server does not support this call; retrying cannot help"},
	{502, "Bad Gateway", ActionTrip, "proxy in front of 8x8 failed: the message may have been accepted; retry with backoff"},
	{503, "Service Unavailable", ActionTrip, "8x8 unavailable before processing: retry after backoff or Retry-After"},
	{504, "Gateway Timeout", ActionTrip, "proxy timed out waiting for 8x8: the message may have been accepted; retry with backoff"},
}

var defaultCodes = [...]codeDefault{
	{429, ActionBackoff, "quota exceeded: this message waits for Retry-After (or the seconds in the message) and retries; the tenant is paused and slowed only when 429s cluster"},

	{1000, ActionFail, "permanent, a parameter is invalid: fix the request"},
	{1001, ActionFail, "permanent, the sub-account id is not one of this account's: fix the tenant"},
	{1002, ActionFail, "permanent, fix the number (E.164 expected)"},
	{1003, ActionFail, "permanent, unsupported encoding: use GSM7, UCS2 or auto"},
	{1004, ActionFail, "permanent, the text is empty or invalid: fix the text"},
	{1005, ActionFail, "permanent, the sender id (source) is invalid or not allowed: fix the source"},
	{1006, ActionFail, "permanent, the expiry is invalid or already past: fix the expiry"},
	{1007, ActionFail, "permanent, the batch template is invalid: fix the template"},
	{1008, ActionFail, "permanent, an id (umid, batch id) is invalid: fix the id"},
	{1009, ActionFail, "permanent, the country code is invalid: fix the country"},
	{1010, ActionFail, "permanent, a parameter is out of range: fix the value"},
	{1011, ActionFail, "permanent, the schedule time is invalid or past: fix the schedule"},
	{1012, ActionFail, "permanent, the client IP is invalid: fix clientIp"},
	{1014, ActionFail, "TLS too old for this route (1.3 required): fix the TLS config, retrying cannot help"},
	{1100, ActionFail, "the batch is over the bulk limit: split it into smaller batches"},
	{1200, ActionHalt, "not authenticated: the API key is wrong or disabled, stop the tenant until it is fixed"},
	{1201, ActionHalt, "access forbidden for this sub-account: stop the tenant until the account is fixed"},
	{1300, ActionFail, "not found or already expired; retrying cannot find it"},
	{1400, ActionFail, "resend interval violation: the destination was messaged too recently, retrying now repeats it"},
	{2000, ActionTrip, "8x8 internal error: the message may have been accepted; retry with backoff, count against the breaker"},
	{2001, ActionFail, "function not implemented by 8x8; retrying cannot help"},
	{2002, ActionFail, "API version no longer supported: upgrade the client"},
	{2003, ActionFail, "product not enabled for this sub-account: enable it or use another sub-account"},

	{3001, ActionFail, "permanent, the user object is missing: fix the request"},
	{3002, ActionFail, "permanent, user.msisdn is missing: fix the request"},
	{3003, ActionFail, "permanent, fix the number (E.164 expected)"},
	{3004, ActionFail, "permanent, content is missing: fix the request"},
	{3005, ActionFail, "permanent, content.text is missing: fix the request"},
	{3006, ActionFail, "permanent, the text is too long for the channel: shorten it"},
	{3007, ActionFail, "permanent, the media URL is missing: fix the request"},
	{3008, ActionFail, "permanent, the media URL is invalid: fix the URL"},
	{3009, ActionFail, "permanent, clientMessageId is too long (max 50 on chat apps): shorten it"},
	{3010, ActionFail, "permanent, the content type is invalid: fix the type"},
	{3011, ActionFail, "permanent, the SMS fallback source is too long: shorten it"},
	{3012, ActionFail, "permanent, the batch has no messages: add some"},
	{3013, ActionFail, "permanent, the batch has too many messages: split it"},
	{3014, ActionFail, "permanent, clientBatchId is too long: shorten it"},
	{3015, ActionFail, "permanent, the user id is missing: fix the request"},
	{3016, ActionFail, "permanent, the WeChat user id is missing: fix the request"},
	{3017, ActionFail, "permanent, the fallback text is too long: shorten it"},
	{3018, ActionFail, "permanent, the country code is invalid: fix the country"},
	{3019, ActionFail, "permanent, the Facebook user id is missing: fix the request"},
	{3020, ActionFail, "permanent, the delivery-report callback URL is invalid: fix the URL"},
	{3021, ActionFail, "permanent, the location is empty or invalid: fix the location"},
	{3022, ActionFail, "permanent, the fallback channel is invalid: fix the channels"},
	{3023, ActionFail, "permanent, fallbackAfter is out of range (10..86400 s): fix it"},
	{3024, ActionFail, "permanent, the fallback status is invalid: fix successStatus"},
	{3025, ActionFail, "permanent, Delivered is not a valid fallback status for this channel: fix successStatus"},
	{3026, ActionFail, "permanent, Read is not a valid fallback status for this channel: fix successStatus"},
	{3027, ActionFail, "permanent, the sub-account has no such fallback channel: fix the channels"},
	{3028, ActionFail, "permanent, the Zalo user id is missing: fix the request"},
	{3029, ActionFail, "permanent, the umid is missing: fix the request"},
	{3030, ActionFail, "permanent, the template is empty: fix the template"},
	{3031, ActionFail, "permanent, the template name has an invalid length: fix the name"},
	{3032, ActionFail, "permanent, the template name is invalid: fix the name"},
	{3033, ActionFail, "permanent, too many template parameters: fix the parameters"},
	{3034, ActionFail, "permanent, invalid combination of template components: fix the components"},
	{3035, ActionFail, "permanent, the sub-account has no template-capable channel: configure one"},
	{3036, ActionFail, "permanent, the template language is empty: set it"},
	{3037, ActionFail, "permanent, the template language is invalid: fix it"},
	{3038, ActionFail, "permanent, template not found for that name and language: create or fix it"},
	{3039, ActionFail, "permanent, a template component type is invalid: fix it"},
	{3040, ActionFail, "permanent, the template parameters are empty: fill them"},
	{3041, ActionFail, "permanent, a template parameter is invalid: fix it"},
	{3042, ActionFail, "permanent, a template parameter has an invalid type: fix it"},
	{3043, ActionFail, "permanent, a template text parameter is too long: shorten it"},
	{3044, ActionFail, "permanent, a template location parameter is empty: fill it"},
	{3045, ActionFail, "permanent, a template parameter is not allowed here: remove it"},
	{3046, ActionFail, "permanent, a template parameter URL is invalid: fix it"},
	{3047, ActionFail, "permanent, the WhatsApp user id is missing: fix the request"},
	{3048, ActionFail, "permanent, chatGroupId cannot be used with a user id: pick one"},
	{3049, ActionFail, "permanent, a button parameter is invalid: fix it"},
	{3050, ActionFail, "permanent, the KakaoTalk id is missing: fix the request"},
	{3051, ActionFail, "permanent, the fallback channel id is invalid: fix the channels"},
	{3052, ActionFail, "permanent, a template component subType is invalid: fix it"},
	{3053, ActionFail, "permanent, a template component index is invalid: fix it"},
	{3060, ActionFail, "the template is being deleted: use another template"},

	{7001, ActionFail, "permanent, the uploaded file is too large: shrink it"},
}

// defaultPairs refine a code on one status. 1001 appears on 400 (a bad
// sub-account id in one request: fail it) and on 401 (the key does not own
// the sub-account: every send of the tenant will fail, so stop it).
var defaultPairs = [...]struct {
	status, code int
	action       Action
	text         string
}{
	{401, 1001, ActionHalt, "the API key does not own this sub-account: stop the tenant until the key or tenant is fixed"},
}

// classDefault is the last resort of the resolution order, by status
// class; index 0 is used for statuses outside 100..599.
var classDefaults = [6]struct {
	action Action
	text   string
}{
	0: {ActionFail, "status outside 100..599: not an HTTP answer this client understands"},
	1: {ActionFail, "unexpected informational status: treat as a failed request"},
	2: {ActionOK, "success"},
	3: {ActionFail, "unexpected redirect on a send: not followed, fix the base URL"},
	4: {ActionFail, "client error: the request is at fault, retrying repeats it"},
	5: {ActionTrip, "server error: the message may have been accepted; retry with backoff, count against the breaker"},
}

// transportDefaults is the action per transport class (no response).
var transportDefaults = [...]struct {
	action Action
	text   string
}{
	TransportNone:     {ActionFail, "no status and no transport error: the client reported an empty outcome"},
	TransportConnect:  {ActionRetry, "connection refused or unreachable: surely not sent, retry with backoff"},
	TransportDNS:      {ActionRetry, "name resolution failed: surely not sent, retry with backoff"},
	TransportTLS:      {ActionRetry, "TLS handshake failed: surely not sent, retry with backoff"},
	TransportTimeout:  {ActionRetry, "timed out after the request may have been written: maybe sent, retry with the same clientMessageId"},
	TransportReset:    {ActionRetry, "connection reset after the request was written: maybe sent, retry with the same clientMessageId"},
	TransportCanceled: {ActionFail, "the caller's context ended: never retried"},
}
