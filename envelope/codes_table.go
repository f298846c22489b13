package envelope

// Code is an API body error code: the "code" field of the error envelope
// (and "errorCode" of a rejected chat message). The named constants cover
// every code 8x8 documents (docs/error-codes.md) plus 429, which the API
// sends as the body code of a rate-limited response, 1014 (TLS too old),
// 3060 and 7001. Other values can arrive; Known reports whether a code is
// one of the named ones.
type Code int

// The API's error codes. Each constant's doc is the description 8x8 gives.
const (
	// CodeTooManyRequests is 429: Too many requests.
	CodeTooManyRequests Code = 429
	// CodeInvalidParameter is 1000: Invalid parameter.
	CodeInvalidParameter Code = 1000
	// CodeIllegalSubAccountID is 1001: Illegal SubAccountId.
	CodeIllegalSubAccountID Code = 1001
	// CodeInvalidMSISDN is 1002: Invalid MSISDN.
	CodeInvalidMSISDN Code = 1002
	// CodeInvalidEncoding is 1003: Invalid Encoding.
	CodeInvalidEncoding Code = 1003
	// CodeInvalidText is 1004: Invalid Text.
	CodeInvalidText Code = 1004
	// CodeInvalidSource is 1005: Invalid Source.
	CodeInvalidSource Code = 1005
	// CodeInvalidExpiry is 1006: Invalid Expiry.
	CodeInvalidExpiry Code = 1006
	// CodeInvalidSMSTemplate is 1007: Invalid SMS Template.
	CodeInvalidSMSTemplate Code = 1007
	// CodeInvalidID is 1008: Invalid ID.
	CodeInvalidID Code = 1008
	// CodeInvalidCountryCode is 1009: Invalid Country Code.
	CodeInvalidCountryCode Code = 1009
	// CodeParameterOutOfRange is 1010: Parameter out of range.
	CodeParameterOutOfRange Code = 1010
	// CodeInvalidScheduleTime is 1011: Invalid Schedule Time.
	CodeInvalidScheduleTime Code = 1011
	// CodeInvalidIPAddress is 1012: Invalid Ip Address.
	CodeInvalidIPAddress Code = 1012
	// CodeInsecureProtocol is 1014: Insecure protocol (TLS version too old).
	CodeInsecureProtocol Code = 1014
	// CodeBulkLimitReached is 1100: Bulk limit reached.
	CodeBulkLimitReached Code = 1100
	// CodeUnauthorized is 1200: Unauthorized Access.
	CodeUnauthorized Code = 1200
	// CodeAccessForbidden is 1201: Access forbidden.
	CodeAccessForbidden Code = 1201
	// CodeNotFound is 1300: Not found.
	CodeNotFound Code = 1300
	// CodeResendingIntervalViolation is 1400: Resending interval violation.
	CodeResendingIntervalViolation Code = 1400
	// CodeInternalError is 2000: Internal Error.
	CodeInternalError Code = 2000
	// CodeNotImplemented is 2001: Function not implemented.
	CodeNotImplemented Code = 2001
	// CodeUnsupportedAPIVersion is 2002: Unsupported API version.
	CodeUnsupportedAPIVersion Code = 2002
	// CodeUnsupportedProduct is 2003: Unsupported product.
	CodeUnsupportedProduct Code = 2003
	// CodeMissedUser is 3001: Missed User.
	CodeMissedUser Code = 3001
	// CodeMissedMSISDN is 3002: Missed MSISDN.
	CodeMissedMSISDN Code = 3002
	// CodeChatInvalidMSISDN is 3003: Invalid MSISDN.
	CodeChatInvalidMSISDN Code = 3003
	// CodeMissedContent is 3004: Missed Content.
	CodeMissedContent Code = 3004
	// CodeMissedText is 3005: Missed Text.
	CodeMissedText Code = 3005
	// CodeTooLongText is 3006: Too long text.
	CodeTooLongText Code = 3006
	// CodeMissedMediaURL is 3007: Missed Media URL.
	CodeMissedMediaURL Code = 3007
	// CodeInvalidMediaURL is 3008: Invalid Media URL.
	CodeInvalidMediaURL Code = 3008
	// CodeTooLongClientMessageID is 3009: Too long ClientMessageId.
	CodeTooLongClientMessageID Code = 3009
	// CodeInvalidContentType is 3010: Invalid Content Type.
	CodeInvalidContentType Code = 3010
	// CodeTooLongSMSSource is 3011: Too long SMS Source.
	CodeTooLongSMSSource Code = 3011
	// CodeMissedMessages is 3012: Missed messages.
	CodeMissedMessages Code = 3012
	// CodeTooManyMessages is 3013: Too much messages.
	CodeTooManyMessages Code = 3013
	// CodeTooLongClientBatchID is 3014: Too long ClientBatchId.
	CodeTooLongClientBatchID Code = 3014
	// CodeMissedUserID is 3015: Missed UserId.
	CodeMissedUserID Code = 3015
	// CodeMissedWeChatUserID is 3016: Missed WeChatUserId.
	CodeMissedWeChatUserID Code = 3016
	// CodeTooLongFallbackText is 3017: Too long Fallback text.
	CodeTooLongFallbackText Code = 3017
	// CodeChatInvalidCountryCode is 3018: Invalid Country code.
	CodeChatInvalidCountryCode Code = 3018
	// CodeMissedFacebookUserID is 3019: Missed FacebookUserId.
	CodeMissedFacebookUserID Code = 3019
	// CodeInvalidDRCallbackURL is 3020: Invalid DR Callback URL.
	CodeInvalidDRCallbackURL Code = 3020
	// CodeInvalidLocation is 3021: Empty or Invalid Location.
	CodeInvalidLocation Code = 3021
	// CodeInvalidFallbackChannel is 3022: Invalid Fallback Channel.
	CodeInvalidFallbackChannel Code = 3022
	// CodeInvalidFallbackDelayRange is 3023: Invalid Fallback Delay range.
	CodeInvalidFallbackDelayRange Code = 3023
	// CodeInvalidFallbackStatus is 3024: Invalid Fallback Status.
	CodeInvalidFallbackStatus Code = 3024
	// CodeInvalidFallbackStatusDelivered is 3025: Invalid Fallback Status Delivered.
	CodeInvalidFallbackStatusDelivered Code = 3025
	// CodeInvalidFallbackStatusRead is 3026: Invalid Fallback Status Read.
	CodeInvalidFallbackStatusRead Code = 3026
	// CodeInvalidFallbackSubAccountChannel is 3027: Invalid Fallback SubAccount Channel.
	CodeInvalidFallbackSubAccountChannel Code = 3027
	// CodeMissedZaloUserID is 3028: Missed ZaloUserId.
	CodeMissedZaloUserID Code = 3028
	// CodeMissedUMID is 3029: Missed UMID.
	CodeMissedUMID Code = 3029
	// CodeEmptyTemplate is 3030: Empty Template.
	CodeEmptyTemplate Code = 3030
	// CodeInvalidTemplateNameLength is 3031: Invalid Template Name Length.
	CodeInvalidTemplateNameLength Code = 3031
	// CodeInvalidTemplateName is 3032: Invalid Template Name.
	CodeInvalidTemplateName Code = 3032
	// CodeTooManyTemplateParameters is 3033: Too much template parameters passed.
	CodeTooManyTemplateParameters Code = 3033
	// CodeInvalidTemplateComponentsCombination is 3034: Invalid template components combination.
	CodeInvalidTemplateComponentsCombination Code = 3034
	// CodeNoTemplateChannels is 3035: SubAccount don’t have channels, supported templates.
	CodeNoTemplateChannels Code = 3035
	// CodeEmptyTemplateLanguage is 3036: Empty Template language.
	CodeEmptyTemplateLanguage Code = 3036
	// CodeInvalidTemplateLanguage is 3037: Invalid Template language.
	CodeInvalidTemplateLanguage Code = 3037
	// CodeTemplateNotFound is 3038: Template not found.
	CodeTemplateNotFound Code = 3038
	// CodeInvalidTemplateComponentType is 3039: Invalid Template Component type.
	CodeInvalidTemplateComponentType Code = 3039
	// CodeEmptyTemplateParameters is 3040: Empty template parameters.
	CodeEmptyTemplateParameters Code = 3040
	// CodeInvalidTemplateParameter is 3041: Invalid Template parameter.
	CodeInvalidTemplateParameter Code = 3041
	// CodeInvalidTemplateParameterType is 3042: Invalid Template parameter type.
	CodeInvalidTemplateParameterType Code = 3042
	// CodeTemplateTextParameterTooLong is 3043: Template Text parameter length exceeded.
	CodeTemplateTextParameterTooLong Code = 3043
	// CodeTemplateLocationParameterEmpty is 3044: Template Location parameter empty.
	CodeTemplateLocationParameterEmpty Code = 3044
	// CodeTemplateParameterNotAllowed is 3045: Template parameter not allowed.
	CodeTemplateParameterNotAllowed Code = 3045
	// CodeInvalidTemplateParameterURL is 3046: Template parameter URL is invalid.
	CodeInvalidTemplateParameterURL Code = 3046
	// CodeMissedWhatsAppUserID is 3047: Missed WhatsApp UserID.
	CodeMissedWhatsAppUserID Code = 3047
	// CodeChatGroupIDWithUserID is 3048: Using ChatGroupId with UserId not allowed.
	CodeChatGroupIDWithUserID Code = 3048
	// CodeInvalidButtonParameter is 3049: Invalid button parameter.
	CodeInvalidButtonParameter Code = 3049
	// CodeMissedKakaoID is 3050: Missed KakaoId.
	CodeMissedKakaoID Code = 3050
	// CodeInvalidFallbackChannelID is 3051: Invalid Fallback ChannelID.
	CodeInvalidFallbackChannelID Code = 3051
	// CodeInvalidTemplateComponentSubType is 3052: Invalid Template Component SubType.
	CodeInvalidTemplateComponentSubType Code = 3052
	// CodeInvalidIndex is 3053: Invalid index.
	CodeInvalidIndex Code = 3053
	// CodeTemplateBeingDeleted is 3060: Template is being deleted.
	CodeTemplateBeingDeleted Code = 3060
	// CodeFileTooLarge is 7001: File too large.
	CodeFileTooLarge Code = 7001
)

// codeTable lists every named code in ascending order, with its name and
// description; Code's methods binary-search it.
var codeTable = [...]codeInfo{
	{CodeTooManyRequests, "TooManyRequests", "Too many requests"},
	{CodeInvalidParameter, "InvalidParameter", "Invalid parameter"},
	{CodeIllegalSubAccountID, "IllegalSubAccountID", "Illegal SubAccountId"},
	{CodeInvalidMSISDN, "InvalidMSISDN", "Invalid MSISDN"},
	{CodeInvalidEncoding, "InvalidEncoding", "Invalid Encoding"},
	{CodeInvalidText, "InvalidText", "Invalid Text"},
	{CodeInvalidSource, "InvalidSource", "Invalid Source"},
	{CodeInvalidExpiry, "InvalidExpiry", "Invalid Expiry"},
	{CodeInvalidSMSTemplate, "InvalidSMSTemplate", "Invalid SMS Template"},
	{CodeInvalidID, "InvalidID", "Invalid ID"},
	{CodeInvalidCountryCode, "InvalidCountryCode", "Invalid Country Code"},
	{CodeParameterOutOfRange, "ParameterOutOfRange", "Parameter out of range"},
	{CodeInvalidScheduleTime, "InvalidScheduleTime", "Invalid Schedule Time"},
	{CodeInvalidIPAddress, "InvalidIPAddress", "Invalid Ip Address"},
	{CodeInsecureProtocol, "InsecureProtocol", "Insecure protocol (TLS version too old)"},
	{CodeBulkLimitReached, "BulkLimitReached", "Bulk limit reached"},
	{CodeUnauthorized, "Unauthorized", "Unauthorized Access"},
	{CodeAccessForbidden, "AccessForbidden", "Access forbidden"},
	{CodeNotFound, "NotFound", "Not found"},
	{CodeResendingIntervalViolation, "ResendingIntervalViolation", "Resending interval violation"},
	{CodeInternalError, "InternalError", "Internal Error"},
	{CodeNotImplemented, "NotImplemented", "Function not implemented"},
	{CodeUnsupportedAPIVersion, "UnsupportedAPIVersion", "Unsupported API version"},
	{CodeUnsupportedProduct, "UnsupportedProduct", "Unsupported product"},
	{CodeMissedUser, "MissedUser", "Missed User"},
	{CodeMissedMSISDN, "MissedMSISDN", "Missed MSISDN"},
	{CodeChatInvalidMSISDN, "ChatInvalidMSISDN", "Invalid MSISDN"},
	{CodeMissedContent, "MissedContent", "Missed Content"},
	{CodeMissedText, "MissedText", "Missed Text"},
	{CodeTooLongText, "TooLongText", "Too long text"},
	{CodeMissedMediaURL, "MissedMediaURL", "Missed Media URL"},
	{CodeInvalidMediaURL, "InvalidMediaURL", "Invalid Media URL"},
	{CodeTooLongClientMessageID, "TooLongClientMessageID", "Too long ClientMessageId"},
	{CodeInvalidContentType, "InvalidContentType", "Invalid Content Type"},
	{CodeTooLongSMSSource, "TooLongSMSSource", "Too long SMS Source"},
	{CodeMissedMessages, "MissedMessages", "Missed messages"},
	{CodeTooManyMessages, "TooManyMessages", "Too much messages"},
	{CodeTooLongClientBatchID, "TooLongClientBatchID", "Too long ClientBatchId"},
	{CodeMissedUserID, "MissedUserID", "Missed UserId"},
	{CodeMissedWeChatUserID, "MissedWeChatUserID", "Missed WeChatUserId"},
	{CodeTooLongFallbackText, "TooLongFallbackText", "Too long Fallback text"},
	{CodeChatInvalidCountryCode, "ChatInvalidCountryCode", "Invalid Country code"},
	{CodeMissedFacebookUserID, "MissedFacebookUserID", "Missed FacebookUserId"},
	{CodeInvalidDRCallbackURL, "InvalidDRCallbackURL", "Invalid DR Callback URL"},
	{CodeInvalidLocation, "InvalidLocation", "Empty or Invalid Location"},
	{CodeInvalidFallbackChannel, "InvalidFallbackChannel", "Invalid Fallback Channel"},
	{CodeInvalidFallbackDelayRange, "InvalidFallbackDelayRange", "Invalid Fallback Delay range"},
	{CodeInvalidFallbackStatus, "InvalidFallbackStatus", "Invalid Fallback Status"},
	{CodeInvalidFallbackStatusDelivered, "InvalidFallbackStatusDelivered", "Invalid Fallback Status Delivered"},
	{CodeInvalidFallbackStatusRead, "InvalidFallbackStatusRead", "Invalid Fallback Status Read"},
	{CodeInvalidFallbackSubAccountChannel, "InvalidFallbackSubAccountChannel", "Invalid Fallback SubAccount Channel"},
	{CodeMissedZaloUserID, "MissedZaloUserID", "Missed ZaloUserId"},
	{CodeMissedUMID, "MissedUMID", "Missed UMID"},
	{CodeEmptyTemplate, "EmptyTemplate", "Empty Template"},
	{CodeInvalidTemplateNameLength, "InvalidTemplateNameLength", "Invalid Template Name Length"},
	{CodeInvalidTemplateName, "InvalidTemplateName", "Invalid Template Name"},
	{CodeTooManyTemplateParameters, "TooManyTemplateParameters", "Too much template parameters passed"},
	{CodeInvalidTemplateComponentsCombination, "InvalidTemplateComponentsCombination", "Invalid template components combination"},
	{CodeNoTemplateChannels, "NoTemplateChannels", "SubAccount don’t have channels, supported templates"},
	{CodeEmptyTemplateLanguage, "EmptyTemplateLanguage", "Empty Template language"},
	{CodeInvalidTemplateLanguage, "InvalidTemplateLanguage", "Invalid Template language"},
	{CodeTemplateNotFound, "TemplateNotFound", "Template not found"},
	{CodeInvalidTemplateComponentType, "InvalidTemplateComponentType", "Invalid Template Component type"},
	{CodeEmptyTemplateParameters, "EmptyTemplateParameters", "Empty template parameters"},
	{CodeInvalidTemplateParameter, "InvalidTemplateParameter", "Invalid Template parameter"},
	{CodeInvalidTemplateParameterType, "InvalidTemplateParameterType", "Invalid Template parameter type"},
	{CodeTemplateTextParameterTooLong, "TemplateTextParameterTooLong", "Template Text parameter length exceeded"},
	{CodeTemplateLocationParameterEmpty, "TemplateLocationParameterEmpty", "Template Location parameter empty"},
	{CodeTemplateParameterNotAllowed, "TemplateParameterNotAllowed", "Template parameter not allowed"},
	{CodeInvalidTemplateParameterURL, "InvalidTemplateParameterURL", "Template parameter URL is invalid"},
	{CodeMissedWhatsAppUserID, "MissedWhatsAppUserID", "Missed WhatsApp UserID"},
	{CodeChatGroupIDWithUserID, "ChatGroupIDWithUserID", "Using ChatGroupId with UserId not allowed"},
	{CodeInvalidButtonParameter, "InvalidButtonParameter", "Invalid button parameter"},
	{CodeMissedKakaoID, "MissedKakaoID", "Missed KakaoId"},
	{CodeInvalidFallbackChannelID, "InvalidFallbackChannelID", "Invalid Fallback ChannelID"},
	{CodeInvalidTemplateComponentSubType, "InvalidTemplateComponentSubType", "Invalid Template Component SubType"},
	{CodeInvalidIndex, "InvalidIndex", "Invalid index"},
	{CodeTemplateBeingDeleted, "TemplateBeingDeleted", "Template is being deleted"},
	{CodeFileTooLarge, "FileTooLarge", "File too large"},
}
