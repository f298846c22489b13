package envelope

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/google/uuid"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodeErrorTestdata(t *testing.T) {
	tests := []struct {
		file string
		want Error
	}{
		{"error_1002.json", Error{
			Code:      CodeInvalidMSISDN,
			Message:   "Invalid MSISDN format (not E.164 international number)",
			ErrorID:   uuid.MustParse("5d0b7c1e-2f4a-4e8b-9c3d-7a6b5c4d3e2f"),
			Timestamp: time.Date(2026, 8, 1, 2, 14, 7, 420_000_000, time.UTC),
		}},
		{"error_1300_sqlguid.json", Error{
			Code:      CodeNotFound,
			Message:   "Object wasn't found or is already expired",
			ErrorID:   uuid.UUID{0x1c, 0xc1, 0xed, 0xa1, 0xf5, 0xdd, 0xea, 0x11, 0x82, 0x88, 0x02, 0x63, 0x19, 0x5d, 0xd3, 0x5a},
			Timestamp: time.Date(2020, 12, 22, 5, 52, 1, 850_000_000, time.UTC),
		}},
		{"error_429.json", Error{
			Code:      CodeTooManyRequests,
			Message:   "Quota exceeded. Please try again in 1 second(s).",
			ErrorID:   uuid.MustParse("bda3d56d-1424-e711-813c-06ed3428fe67"),
			Timestamp: time.Date(2018, 8, 4, 9, 25, 40, 923_575_200, time.UTC),
		}},
		{"error_escaped.json", Error{
			Code:      CodeInvalidParameter,
			Message:   "Invalid parameter \"destination\": «Café» \\ path/to\tx\nline2 😀 你好",
			ErrorID:   uuid.MustParse("bda3d56d-1424-e711-813c-06ed3428fe67"),
			Timestamp: time.Date(2026, 8, 1, 2, 14, 7, 603_089_300, time.UTC),
		}},
		{"error_1014_tls.json", Error{
			Code:      CodeInsecureProtocol,
			Message:   "TLS 1.3+ is required for messages to Singapore",
			ErrorID:   uuid.MustParse("0f6d2b8a-91c4-4e57-b1a2-3c4d5e6f7a8b"),
			Timestamp: time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC),
		}},
		{"error_nulls.json", Error{Code: CodeInternalError}},
	}
	var d Decoder
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			var got Error
			if err := d.DecodeError(readTestdata(t, tt.file), &got); err != nil {
				t.Fatalf("DecodeError: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
			if got.Timestamp.Location() != time.UTC {
				t.Errorf("Timestamp location = %v, want UTC", got.Timestamp.Location())
			}
		})
	}
}

func TestDecodeSMSTestdata(t *testing.T) {
	tests := []struct {
		file string
		want SMSResponse
	}{
		{"sms_queued.json", SMSResponse{
			UMID: "3a9c61f0-5b2e-ef11-8300-0a1b2c3d4e5f", ClientMessageID: "otp-7f3c2a9e-0001",
			Destination: "6591234567", Encoding: "GSM7",
			Status: SMSStatus{Code: "QUEUED", Description: "SMS is accepted and queued for processing"},
		}},
		{"sms_null_client_id.json", SMSResponse{
			UMID: "bda3d56d-1424-e711-813c-06ed3428fe67", Destination: "447700900123", Encoding: "UCS2",
			Status: SMSStatus{Code: "QUEUED", Description: "SMS is accepted and queued for processing"},
		}},
		{"sms_reordered.json", SMSResponse{
			UMID: "c61e08b2-7a3d-ef11-8300-0a1b2c3d4e5f", ClientMessageID: `café/"quoted"`,
			Destination: "4477009", Encoding: "GSM7",
			Status: SMSStatus{Code: "REJECTED", Description: "Invalid MSISDN format (not E.164 international number)"},
		}},
	}
	var d Decoder
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			var got SMSResponse
			if err := d.DecodeSMS(readTestdata(t, tt.file), &got); err != nil {
				t.Fatalf("DecodeSMS: %v", err)
			}
			if got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}
