package envelope

// This table is written from testdata/dlr-error-codes.md by hand-kept names and hints; keep the two in step (TestDLRCodesCoverFactSheet checks).

// The DLR error codes (status.errorCode of a delivery receipt). Each
// constant's doc gives 8x8's reason and our hint (see Hint); for the
// general codes 0-61 the chat-apps meaning follows when 8x8 lists the code
// for chat apps too.
const (
	// DLRNoReasonCode is 0: No reason code (unclear).
	DLRNoReasonCode DLRCode = 0
	// DLRAbsentSubscriber is 1: Absent subscriber (transient). Chat apps:
	// AbsentSubscriber: user not registered on this channel (permanent).
	DLRAbsentSubscriber DLRCode = 1
	// DLRContentRelatedError is 2: Content related error (permanent). Chat
	// apps: ContentRelatedError: content type not supported by channel
	// (permanent).
	DLRContentRelatedError DLRCode = 2
	// DLRDataMissing is 3: Data missing (unclear). Chat apps: DataMissing:
	// required parameter missing (permanent).
	DLRDataMissing DLRCode = 3
	// DLRDeferredDelivery is 4: Deferred delivery (intermediate).
	DLRDeferredDelivery DLRCode = 4
	// DLRPendingUpstream is 5: Pending upstream (intermediate).
	DLRPendingUpstream DLRCode = 5
	// DLRDeliveryFailure is 7: Delivery failure (unclear).
	DLRDeliveryFailure DLRCode = 7
	// DLRDeny is 8: Deny (permanent).
	DLRDeny DLRCode = 8
	// DLREquipmentProtocolError is 9: Equipment protocol error (unclear). Chat
	// apps: EquipmentProtocolError: app version can't take business messages
	// (permanent).
	DLREquipmentProtocolError DLRCode = 9
	// DLRESMEExternalError is 10: ESME external error (unclear).
	DLRESMEExternalError DLRCode = 10
	// DLRFlooding is 11: Flooding (transient). Chat apps: Flooding: too many
	// messages to this user too quickly (transient).
	DLRFlooding DLRCode = 11
	// DLRHLRError is 12: HLR error (transient).
	DLRHLRError DLRCode = 12
	// DLRIllegalSubscriber is 13: Illegal subscriber or equipment (permanent).
	DLRIllegalSubscriber DLRCode = 13
	// DLRInternalError is 14: Internal error (transient). Chat apps:
	// InternalError: internal error (transient).
	DLRInternalError DLRCode = 14
	// DLRInvalidDestination is 15: Invalid destination (permanent). Chat apps:
	// InvalidDestination: user id invalid for channel, or blacklisted on
	// Connect (permanent).
	DLRInvalidDestination DLRCode = 15
	// DLRInvalidFormat is 16: Invalid format (permanent).
	DLRInvalidFormat DLRCode = 16
	// DLRInvalidMessageLength is 17: Invalid message length (permanent).
	DLRInvalidMessageLength DLRCode = 17
	// DLRInvalidParameter is 18: Invalid parameter (permanent). Chat apps:
	// Invalid parameter: invalid or missing parameters (permanent).
	DLRInvalidParameter DLRCode = 18
	// DLRInvalidSourceAddress is 19: Invalid source address (permanent).
	DLRInvalidSourceAddress DLRCode = 19
	// DLRLocalCancel is 20: Local cancel (unclear).
	DLRLocalCancel DLRCode = 20
	// DLRMemoryCapacityExceeded is 21: Memory capacity exceeded (transient).
	DLRMemoryCapacityExceeded DLRCode = 21
	// DLRMessageBeingRetried is 22: Message being retried (intermediate).
	DLRMessageBeingRetried DLRCode = 22
	// DLRNetworkFailure is 23: Network failure (transient). Chat apps:
	// ConnectionError: channel connection error (transient).
	DLRNetworkFailure DLRCode = 23
	// DLRAgeVerificationFailure is 24: Age verification failure (permanent).
	DLRAgeVerificationFailure DLRCode = 24
	// DLROperationAborted is 25: Operation aborted by receiving network or user
	// (unclear). Chat apps: Operation Aborted By Receiving Network Or User:
	// channel deliberately didn't deliver (permanent).
	DLROperationAborted DLRCode = 25
	// DLROperationBarred is 26: Operation barred (permanent).
	DLROperationBarred DLRCode = 26
	// DLRPermanentOperatorError is 27: Permanent operator error (permanent).
	DLRPermanentOperatorError DLRCode = 27
	// DLRPermanentPhoneError is 28: Permanent phone error (permanent).
	DLRPermanentPhoneError DLRCode = 28
	// DLRPhoneRelatedError is 29: Phone related error (unclear). Chat apps:
	// PhoneRelatedError: a parameter value is invalid (permanent).
	DLRPhoneRelatedError DLRCode = 29
	// DLRPortabilityError is 30: Portability error (unclear).
	DLRPortabilityError DLRCode = 30
	// DLRPremiumSMSError is 31: Premium SMS error (permanent).
	DLRPremiumSMSError DLRCode = 31
	// DLRRoamingSubscriber is 32: Roaming subscriber (transient).
	DLRRoamingSubscriber DLRCode = 32
	// DLRRouteError is 33: Route error (transient).
	DLRRouteError DLRCode = 33
	// DLRScreeningError is 34: Screening error (permanent).
	DLRScreeningError DLRCode = 34
	// DLRServiceCenterCongestion is 35: Service center congestion (transient).
	DLRServiceCenterCongestion DLRCode = 35
	// DLRSMSExpired is 36: SMS expired (transient). Chat apps: Expired: not
	// delivered in time (transient).
	DLRSMSExpired DLRCode = 36
	// DLRSMSFacilityNotSupported is 37: SMS facility not supported (permanent).
	DLRSMSFacilityNotSupported DLRCode = 37
	// DLRSMSMalformed is 38: SMS malformed (permanent).
	DLRSMSMalformed DLRCode = 38
	// DLRSMSCCancel is 39: SMSC cancel (unclear).
	DLRSMSCCancel DLRCode = 39
	// DLRSMSCError is 40: SMSC error (transient).
	DLRSMSCError DLRCode = 40
	// DLRSMSCReject is 41: SMSC reject (unclear). Chat apps: SmscReject:
	// channel rejected the message (unclear).
	DLRSMSCReject DLRCode = 41
	// DLRSourceCreditInsufficiency is 42: Source credit insufficiency
	// (account-side). Chat apps: NoCredit: wallet has insufficient credit
	// (account-side).
	DLRSourceCreditInsufficiency DLRCode = 42
	// DLRSpamFilter is 43: Spam filter (permanent). Chat apps: SpamFilter:
	// anti-spam filtering (transient).
	DLRSpamFilter DLRCode = 43
	// DLRSubscriberBillingIssue is 44: Subscriber billing issue (transient).
	DLRSubscriberBillingIssue DLRCode = 44
	// DLRSubscriberBusy is 45: Subscriber busy for SMS (transient).
	DLRSubscriberBusy DLRCode = 45
	// DLRSubscriberNotReachable is 46: Subscriber not reachable (transient).
	// Chat apps: SubscriberNotReachable: sent to channel; user unreachable
	// (transient).
	DLRSubscriberNotReachable DLRCode = 46
	// DLRSubscriberTemporarilyUnavailable is 47: Subscriber temporary
	// unavailable (transient).
	DLRSubscriberTemporarilyUnavailable DLRCode = 47
	// DLRSystemFailure is 48: System failure (transient).
	DLRSystemFailure DLRCode = 48
	// DLRTCAPError is 49: TCAP error (transient).
	DLRTCAPError DLRCode = 49
	// DLRThrottlingError is 50: Throttling error (transient).
	DLRThrottlingError DLRCode = 50
	// DLRTimeOutError is 51: Time out error (transient).
	DLRTimeOutError DLRCode = 51
	// DLRUndecodableResponse is 52: Unable to decode the response (unclear).
	DLRUndecodableResponse DLRCode = 52
	// DLRUnexpectedDataValue is 53: Unexpected data value (unclear).
	DLRUnexpectedDataValue DLRCode = 53
	// DLRUnexpectedError is 54: Unexpected error (unclear).
	DLRUnexpectedError DLRCode = 54
	// DLRUnidentifiedSubscriber is 55: Unidentified subscriber (permanent).
	DLRUnidentifiedSubscriber DLRCode = 55
	// DLRUnknownDeliveryState is 56: Unknown delivery state (unclear).
	DLRUnknownDeliveryState DLRCode = 56
	// DLRUnknownError is 57: Unknown error (unclear). Chat apps: UnknownError:
	// no more specific reason (unclear).
	DLRUnknownError DLRCode = 57
	// DLRUnknownServiceCenter is 58: Unknown service center (unclear).
	DLRUnknownServiceCenter DLRCode = 58
	// DLRUnknownSubscriber is 59: Unknown subscriber (permanent).
	DLRUnknownSubscriber DLRCode = 59
	// DLRContentFiltered is 60: Content filtered (permanent).
	DLRContentFiltered DLRCode = 60
	// DLRSessionExpired is 61: Session expired (unclear). Chat apps:
	// SessionExpired: dropped because the session expired (permanent).
	DLRSessionExpired DLRCode = 61
	// DLRWhatsAppAuthFailed is 1000: WhatsApp: Authentication failed
	// (account-side).
	DLRWhatsAppAuthFailed DLRCode = 1000
	// DLRWhatsAppMethodNotAllowed is 1001: WhatsApp: Method not allowed
	// (account-side). Meta code 3.
	DLRWhatsAppMethodNotAllowed DLRCode = 1001
	// DLRWhatsAppRateLimit is 1002: WhatsApp: Rate limit exceeded (transient).
	// Meta code 4.
	DLRWhatsAppRateLimit DLRCode = 1002
	// DLRWhatsAppPermissionMissing is 1003: WhatsApp: Permission missing
	// (account-side). Meta code 10.
	DLRWhatsAppPermissionMissing DLRCode = 1003
	// DLRWhatsAppInvalidValue is 1004: WhatsApp: Invalid value, e.g. number
	// deleted (permanent). Meta code 33.
	DLRWhatsAppInvalidValue DLRCode = 1004
	// DLRWhatsAppInvalidParameter is 1005: WhatsApp: Invalid parameter
	// (permanent). Meta code 100.
	DLRWhatsAppInvalidParameter DLRCode = 1005
	// DLRWhatsAppTokenExpired is 1006: WhatsApp: Token expired (account-side).
	// Meta code 190.
	DLRWhatsAppTokenExpired DLRCode = 1006
	// DLRWhatsAppPolicyBlock is 1007: WhatsApp: Policy violation, temp. block
	// (transient). Meta code 368.
	DLRWhatsAppPolicyBlock DLRCode = 1007
	// DLRWhatsAppWABARateLimit is 1008: WhatsApp: WABA rate limit hit
	// (transient). Meta code 80007.
	DLRWhatsAppWABARateLimit DLRCode = 1008
	// DLRWhatsAppThroughputExceeded is 1009: WhatsApp: Throughput exceeded
	// (transient). Meta code 130429.
	DLRWhatsAppThroughputExceeded DLRCode = 1009
	// DLRWhatsAppExperimentalNumber is 1010: WhatsApp: Experimental number
	// (permanent). Meta code 130472.
	DLRWhatsAppExperimentalNumber DLRCode = 1010
	// DLRWhatsAppRegionRestricted is 1011: WhatsApp: Region restriction
	// (permanent). Meta code 130497.
	DLRWhatsAppRegionRestricted DLRCode = 1011
	// DLRWhatsAppUnknownFailure is 1012: WhatsApp: Unknown failure (unclear).
	// Meta code 131000.
	DLRWhatsAppUnknownFailure DLRCode = 1012
	// DLRWhatsAppAccessDenied is 1013: WhatsApp: Access denied (account-side).
	// Meta code 131005.
	DLRWhatsAppAccessDenied DLRCode = 1013
	// DLRWhatsAppMissingParameter is 1014: WhatsApp: Missing parameter
	// (permanent). Meta code 131008.
	DLRWhatsAppMissingParameter DLRCode = 1014
	// DLRWhatsAppInvalidParameterValue is 1015: WhatsApp: Invalid parameter
	// value (permanent). Meta code 131009.
	DLRWhatsAppInvalidParameterValue DLRCode = 1015
	// DLRWhatsAppServiceDown is 1016: WhatsApp: Service down, temporary
	// (transient). Meta code 131016.
	DLRWhatsAppServiceDown DLRCode = 1016
	// DLRWhatsAppSenderIsRecipient is 1017: WhatsApp: Sender = receiver
	// (permanent). Meta code 131021.
	DLRWhatsAppSenderIsRecipient DLRCode = 1017
	// DLRWhatsAppUndeliverable is 1018: WhatsApp: Message undeliverable
	// (permanent). Meta code 131026.
	DLRWhatsAppUndeliverable DLRCode = 1018
	// DLRWhatsAppAccountLocked is 1019: WhatsApp: Account locked
	// (account-side). Meta code 131031.
	DLRWhatsAppAccountLocked DLRCode = 1019
	// DLRWhatsAppDisplayNameNotApproved is 1020: WhatsApp: Display name not
	// approved (account-side). Meta code 131037.
	DLRWhatsAppDisplayNameNotApproved DLRCode = 1020
	// DLRWhatsAppBadCertificate is 1021: WhatsApp: Bad certificate
	// (account-side). Meta code 131045.
	DLRWhatsAppBadCertificate DLRCode = 1021
	// DLRWhatsAppWindowExpired is 1022: WhatsApp: Message window expired,
	// outside 24 h (permanent). Meta code 131047.
	DLRWhatsAppWindowExpired DLRCode = 1022
	// DLRWhatsAppSpamControl is 1023: WhatsApp: Spam control triggered
	// (transient). Meta code 131048.
	DLRWhatsAppSpamControl DLRCode = 1023
	// DLRWhatsAppSuppressed is 1024: WhatsApp: Message suppressed by Meta
	// (unclear). Meta code 131049.
	DLRWhatsAppSuppressed DLRCode = 1024
	// DLRWhatsAppUnsupportedMessageType is 1025: WhatsApp: Unsupported message
	// type (permanent). Meta code 131051.
	DLRWhatsAppUnsupportedMessageType DLRCode = 1025
	// DLRWhatsAppMediaDownloadFailed is 1026: WhatsApp: Media download failed
	// (unclear). Meta code 131052.
	DLRWhatsAppMediaDownloadFailed DLRCode = 1026
	// DLRWhatsAppMediaUploadFailed is 1027: WhatsApp: Media upload failed
	// (unclear). Meta code 131053.
	DLRWhatsAppMediaUploadFailed DLRCode = 1027
	// DLRWhatsAppPairThrottled is 1028: WhatsApp: Sender-recipient pair
	// throttled (transient). Meta code 131056.
	DLRWhatsAppPairThrottled DLRCode = 1028
	// DLRWhatsAppAccountMaintenance is 1029: WhatsApp: Account under
	// maintenance (transient). Meta code 131057.
	DLRWhatsAppAccountMaintenance DLRCode = 1029
	// DLRWhatsAppTemplateParamCount is 1030: WhatsApp: Wrong number of template
	// params (permanent). Meta code 132000.
	DLRWhatsAppTemplateParamCount DLRCode = 1030
	// DLRWhatsAppTemplateMissing is 1031: WhatsApp: Template missing
	// (permanent). Meta code 132001.
	DLRWhatsAppTemplateMissing DLRCode = 1031
	// DLRWhatsAppTemplateTextTooLong is 1032: WhatsApp: Hydrated template text
	// too long (permanent). Meta code 132005.
	DLRWhatsAppTemplateTextTooLong DLRCode = 1032
	// DLRWhatsAppTemplatePolicyViolation is 1033: WhatsApp: Template policy
	// violation (permanent). Meta code 132007.
	DLRWhatsAppTemplatePolicyViolation DLRCode = 1033
	// DLRWhatsAppTemplateParamFormat is 1034: WhatsApp: Wrong param format
	// (permanent). Meta code 132012.
	DLRWhatsAppTemplateParamFormat DLRCode = 1034
	// DLRWhatsAppTemplatePaused is 1035: WhatsApp: Template paused
	// (account-side). Meta code 132015.
	DLRWhatsAppTemplatePaused DLRCode = 1035
	// DLRWhatsAppTemplateDisabled is 1036: WhatsApp: Template disabled
	// (account-side). Meta code 132016.
	DLRWhatsAppTemplateDisabled DLRCode = 1036
	// DLRWhatsAppFlowBlocked is 1037: WhatsApp: Flow blocked (account-side).
	// Meta code 132068.
	DLRWhatsAppFlowBlocked DLRCode = 1037
	// DLRWhatsAppFlowThrottled is 1038: WhatsApp: Flow throttled (transient).
	// Meta code 132069.
	DLRWhatsAppFlowThrottled DLRCode = 1038
	// DLRWhatsAppDeregistrationFailed is 1039: WhatsApp: Deregistration failed
	// (account-side). Meta code 133000.
	DLRWhatsAppDeregistrationFailed DLRCode = 1039
	// DLRWhatsAppServerUnavailable is 1040: WhatsApp: Server unavailable
	// (transient). Meta code 133004.
	DLRWhatsAppServerUnavailable DLRCode = 1040
	// DLRWhatsAppPINMismatch is 1041: WhatsApp: PIN mismatch (account-side).
	// Meta code 133005.
	DLRWhatsAppPINMismatch DLRCode = 1041
	// DLRWhatsAppReverificationRequired is 1042: WhatsApp: Reverification
	// required (account-side). Meta code 133006.
	DLRWhatsAppReverificationRequired DLRCode = 1042
	// DLRWhatsAppTooManyPINGuesses is 1043: WhatsApp: Too many PIN guesses
	// (account-side). Meta code 133008.
	DLRWhatsAppTooManyPINGuesses DLRCode = 1043
	// DLRWhatsAppPINTooFast is 1044: WhatsApp: PIN entry too fast
	// (account-side). Meta code 133009.
	DLRWhatsAppPINTooFast DLRCode = 1044
	// DLRWhatsAppNumberNotRegistered is 1045: WhatsApp: Number not registered
	// (account-side). Meta code 133010.
	DLRWhatsAppNumberNotRegistered DLRCode = 1045
	// DLRWhatsAppRetryAfterDelay is 1046: WhatsApp: Retry after delay
	// (transient). Meta code 133015.
	DLRWhatsAppRetryAfterDelay DLRCode = 1046
	// DLRWhatsAppTooManyRegisterAttempts is 1047: WhatsApp: Too many register
	// attempts (account-side). Meta code 133016.
	DLRWhatsAppTooManyRegisterAttempts DLRCode = 1047
	// DLRWhatsAppClientSideIssue is 1048: WhatsApp: Unknown client-side issue
	// (unclear). Meta code 135000.
	DLRWhatsAppClientSideIssue DLRCode = 1048
	// DLRWhatsAppTooManySyncCalls is 1049: WhatsApp: Too many sync calls
	// (transient). Meta code 2593107.
	DLRWhatsAppTooManySyncCalls DLRCode = 1049
	// DLRWhatsAppSyncExpired is 1050: WhatsApp: Sync time expired
	// (account-side). Meta code 2593108.
	DLRWhatsAppSyncExpired DLRCode = 1050
	// DLRWhatsAppMarketingOptOut is 1051: WhatsApp: User opted out of marketing
	// (permanent). Meta code 131050.
	DLRWhatsAppMarketingOptOut DLRCode = 1051
	// DLRWhatsAppCallPermissionExists is 1052: WhatsApp: Permanent call
	// permission exists (unclear). Meta code 138017.
	DLRWhatsAppCallPermissionExists DLRCode = 1052
	// DLRWhatsAppCallPermissionLimit is 1053: WhatsApp: Call permission limit
	// reached (transient). Meta code 138009.
	DLRWhatsAppCallPermissionLimit DLRCode = 1053
	// DLRWhatsAppBSUIDNotSupported is 1054: WhatsApp: BSUID recipient not
	// supported (permanent). Meta code 131062.
	DLRWhatsAppBSUIDNotSupported DLRCode = 1054
	// DLRViberSent is 2000: Viber: successfully sent (not an error).
	DLRViberSent DLRCode = 2000
	// DLRViberInternalError is 2001: Viber: internal server error (transient).
	DLRViberInternalError DLRCode = 2001
	// DLRViberInvalidServiceID is 2002: Viber: invalid service ID
	// (account-side).
	DLRViberInvalidServiceID DLRCode = 2002
	// DLRViberBadRequest is 2003: Viber: bad request structure (permanent).
	DLRViberBadRequest DLRCode = 2003
	// DLRViberIncorrectMessageType is 2004: Viber: incorrect message type
	// (permanent).
	DLRViberIncorrectMessageType DLRCode = 2004
	// DLRViberMissingParameters is 2005: Viber: missing parameters (permanent).
	DLRViberMissingParameters DLRCode = 2005
	// DLRViberTimeout is 2006: Viber: Viber timeout (transient).
	DLRViberTimeout DLRCode = 2006
	// DLRViberUserBlocked is 2007: Viber: user blocked (permanent).
	DLRViberUserBlocked DLRCode = 2007
	// DLRViberNotViberUser is 2008: Viber: not a Viber user (permanent).
	DLRViberNotViberUser DLRCode = 2008
	// DLRViberNoSuitableDevice is 2009: Viber: no suitable device (permanent).
	DLRViberNoSuitableDevice DLRCode = 2009
	// DLRViberUnauthorized is 2010: Viber: unauthorized IP or ID
	// (account-side).
	DLRViberUnauthorized DLRCode = 2010
	// DLRViberBadLabel is 2012: Viber: bad label (permanent).
	DLRViberBadLabel DLRCode = 2012
	// DLRViberInvalidTTL is 2013: Viber: invalid TTL (permanent).
	DLRViberInvalidTTL DLRCode = 2013
	// DLRViberSessionLimit is 2014: Viber: session message limit (10)
	// (unclear).
	DLRViberSessionLimit DLRCode = 2014
	// DLRViberUnsupportedFileFormat is 2015: Viber: unsupported file format
	// (permanent).
	DLRViberUnsupportedFileFormat DLRCode = 2015
	// DLRViberFilenameTooLong is 2016: Viber: filename > 25 chars (permanent).
	DLRViberFilenameTooLong DLRCode = 2016
	// DLRViberThumbnailURLTooLong is 2017: Viber: thumbnail URL > 1000 chars
	// (permanent).
	DLRViberThumbnailURLTooLong DLRCode = 2017
	// DLRViberFileTooLarge is 2018: Viber: file > 200 MB (permanent).
	DLRViberFileTooLarge DLRCode = 2018
	// DLRViberVideoTooLong is 2019: Viber: video > 600 s (permanent).
	DLRViberVideoTooLong DLRCode = 2019
	// DLRViberTemplateNotFound is 2020: Viber: template ID not found
	// (permanent).
	DLRViberTemplateNotFound DLRCode = 2020
	// DLRViberTemplateInvalid is 2021: Viber: template validation failed
	// (permanent).
	DLRViberTemplateInvalid DLRCode = 2021
	// DLRViberIncompatibleVersion is 2022: Viber: incompatible with version
	// (permanent).
	DLRViberIncompatibleVersion DLRCode = 2022
	// DLRViberInvalidDestination is 2023: Viber: invalid destination number
	// (permanent).
	DLRViberInvalidDestination DLRCode = 2023
	// DLRViberInvalidListMessage is 2024: Viber: invalid list-message parameter
	// (permanent).
	DLRViberInvalidListMessage DLRCode = 2024
	// DLRViberInvalidCarousel is 2025: Viber: invalid carousel parameter
	// (permanent).
	DLRViberInvalidCarousel DLRCode = 2025
)
