package envelope

import (
	"testing"
	"time"
)

func TestRank(t *testing.T) {
	tests := []struct {
		s     State
		d     Detail
		rank  int
		final bool
	}{
		{StateQueued, "", RankPending, false},
		{StateUnknown, "", RankPending, false},
		{StateOK, "", RankPending, false},
		{StateError, "", RankPending, false},
		{"something_new", "", RankPending, false},
		{"", "", RankPending, false},
		{StateSent, "", RankSent, false},
		{"SENT", "", RankSent, false},
		{StateDelivered, DetailDeliveredToOperator, RankOperator, false},
		{StateDelivered, DetailDeliveredToCarrier, RankOperator, false},
		{StateDelivered, "", RankOperator, false},
		{StateDelivered, DetailDeliveredToRecipient, RankOutcome, true},
		{"Delivered", "DELIVERED_TO_RECIPIENT", RankOutcome, true},
		{StateUndelivered, DetailRejectedByOperator, RankOutcome, true},
		{StateUndelivered, DetailUndeliveredToRecipient, RankOutcome, true},
		{StateRejected, "", RankOutcome, true},
		{StateFailed, "", RankOutcome, true},
		{StateRead, "", RankRead, true},
	}
	for _, tt := range tests {
		if got := Rank(tt.s, tt.d); got != tt.rank {
			t.Errorf("Rank(%q, %q) = %d, want %d", tt.s, tt.d, got, tt.rank)
		}
		if got := Final(tt.s, tt.d); got != tt.final {
			t.Errorf("Final(%q, %q) = %v, want %v", tt.s, tt.d, got, tt.final)
		}
	}
	if !Delivered(StateRead) || !Delivered(StateDelivered) || Delivered(StateSent) || Delivered(StateUndelivered) {
		t.Error("Delivered is wrong")
	}
	if !Failed(StateFailed) || !Failed(StateRejected) || !Failed("UNDELIVERED") || Failed(StateDelivered) || Failed(StateRead) {
		t.Error("Failed is wrong")
	}
}

func TestSupersedes(t *testing.T) {
	t0 := time.Date(2026, 8, 1, 2, 0, 0, 0, time.UTC)
	t1 := t0.Add(time.Second)
	delivered := Rank(StateDelivered, DetailDeliveredToRecipient)
	sent := Rank(StateSent, "")
	operator := Rank(StateDelivered, DetailDeliveredToOperator)
	undelivered := Rank(StateUndelivered, "")
	tests := []struct {
		name       string
		rank       int
		ts         time.Time
		prev       int
		prevTS     time.Time
		supersedes bool
	}{
		{"sent after delivered, even if stamped later", sent, t1, delivered, t0, false},
		{"delivered after sent", delivered, t0, sent, t1, true},
		{"undelivered after delivered_to_operator", undelivered, t0, operator, t1, true},
		{"equal rank, later", undelivered, t1, delivered, t0, true},
		{"equal rank, earlier", undelivered, t0, delivered, t1, false},
		{"exact repeat", delivered, t0, delivered, t0, false},
		{"read after delivered", RankRead, t0, delivered, t1, true},
		{"anything after nothing", RankPending, t0, RankPending, time.Time{}, true},
	}
	for _, tt := range tests {
		if got := Supersedes(tt.rank, tt.ts, tt.prev, tt.prevTS); got != tt.supersedes {
			t.Errorf("%s: Supersedes = %v, want %v", tt.name, got, tt.supersedes)
		}
	}
}

func TestLegacyState(t *testing.T) {
	tests := []struct {
		in string
		s  State
		d  Detail
	}{
		{LegacyReceived, StateQueued, ""},
		{LegacySent, StateSent, ""},
		{LegacyDeliveredCarrier, StateDelivered, DetailDeliveredToOperator},
		{LegacyDeliveredDevice, StateDelivered, DetailDeliveredToRecipient},
		{"delivered to device", StateDelivered, DetailDeliveredToRecipient},
		{LegacyRejectedByDevice, StateUndelivered, DetailUndeliveredToRecipient},
		{LegacyRejectedByCarrier, StateUndelivered, DetailRejectedByOperator},
		{LegacyTrashed, StateRejected, ""},
		{LegacyRead, StateRead, ""},
		{"", StateUnknown, ""},
		{"DELIVERED", StateUnknown, ""},
	}
	for _, tt := range tests {
		if s, d := LegacyState(tt.in); s != tt.s || d != tt.d {
			t.Errorf("LegacyState(%q) = %q, %q; want %q, %q", tt.in, s, d, tt.s, tt.d)
		}
	}
}

func TestReceiptHint(t *testing.T) {
	tests := []struct {
		r    Receipt
		want Hint
	}{
		{Receipt{Format: FormatSMS, State: StateUndelivered, ErrorCode: DLRAbsentSubscriber}, HintTransient},
		{Receipt{Format: FormatChatV9, State: StateUndelivered, ErrorCode: DLRAbsentSubscriber}, HintPermanent},
		{Receipt{Format: FormatChatV8, State: StateFailed, ErrorCode: DLRWhatsAppServiceDown}, HintTransient},
		{Receipt{Format: FormatSMS, State: StateUndelivered, ErrorCode: DLRInvalidDestination}, HintPermanent},
		{Receipt{Format: FormatSMS, State: StateDelivered}, HintUnclear},
		{Receipt{Format: FormatSMS, State: StateUndelivered, ErrorCode: 999}, HintUnclear},
	}
	for _, tt := range tests {
		if got := tt.r.Hint(); got != tt.want {
			t.Errorf("%+v: Hint = %v, want %v", tt.r, got, tt.want)
		}
	}
}
