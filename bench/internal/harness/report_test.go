package harness

import (
	"bytes"
	"encoding/xml"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/octosend/octosend/bench/drivers"
)

func sampleReport() *Report {
	scs := Scenarios()
	r := &Report{
		Date: time.Date(2026, 11, 25, 18, 0, 0, 0, time.UTC), Took: 200 * time.Second,
		Machine: Machine{CPUs: 2, GOMAXPROCS: 2, CPUModel: "Test CPU", GoVersion: "go1.26", OS: "linux", Arch: "amd64", LoadAvg: "0.50 0.40 0.30"},
		Options: DefaultOptions(), Scenarios: scs, Drivers: drivers.All(),
	}
	for si, sc := range scs {
		for di, d := range r.Drivers {
			r.Results = append(r.Results, Result{
				Scenario: sc.Name, Driver: d.Name, Messages: 100, Wall: time.Second,
				Accepted: 100 - di, Failed: di, Confirmed: 100 - di, Undelivered: di, Goodput: float64(1000*(si+1) - 100*di),
				Requests: int64(100 + 10*di), Amplification: 1 + float64(di)/10,
				Got429: int64(10 - di), Outage: int64(di), P50: time.Millisecond, P99: 10 * time.Millisecond,
				AllocsPerMsg: 80, BytesPerMsg: 8000, CPUPerMsg: 40 * time.Microsecond,
			})
		}
	}
	return r
}

func TestMarkdown(t *testing.T) {
	md := sampleReport().Markdown()
	for _, want := range []string{
		"![Goodput and requests per message, per scenario and driver](results.svg)",
		"2 CPUs (nproc), GOMAXPROCS 2, Test CPU; go1.26 linux/amd64. Load average when the run began: 0.50 0.40 0.30",
		// octosend 1000 msg/s, octosend-failfast 900, nethttp 800: 125%, 112%.
		"- Clean, `octosend`: goodput 1000 msg/s, 125% of the bare net/http loop's 800 msg/s (target at least 95%): **met**.",
		"- Clean, `octosend-failfast`: goodput 900 msg/s, 112% of the bare net/http loop's 800 msg/s (target at least 95%): **met**.",
		// Best faults peer: nethttp (most accepted). octosend has the lower amplification and higher goodput.
		"- Faults, `octosend`: 0 lost (target 0): **met**. 0 attempts wasted on 1002/3038 (target 0): **met**. Against the best peer (most messages accepted), `nethttp`: 1.00 requests per message against 1.20 (target no more): **met**",
		// octosend got 10 429s, octosend-failfast 9, nethttp 8: not fewer than every peer.
		"- 429 storm: the peers received `nethttp` 8 (2 of 100 messages failed), `retryablehttp` 7 (3 of 100 messages failed),",
		"  - `octosend` received 10 429s (0 of 100 messages failed). Fewer than every peer (target): **missed**; fewer than every peer that retries: **missed**.",
		"requests that reached the API during the 5-second outage: `octosend` 0 (0 of 100 messages failed), `octosend-failfast` 1 (1 of 100 messages failed), `nethttp` 2",
		"## Scenario: storm",
		"| driver | goodput msg/s | accepted | failed | undelivered | req/msg | wasted on 1002 | 429s | 5xx | dup | lost | failed but delivered | misreported | req in outage |",
		"| **`octosend`** | 7000 | 100 | 0 | 0 | 1.00 | 0 | 10 | 0 | 0 | 0 | 0 | 0 | 0 |",
		"1,000/s for 7s (the issue's 10s shortened to fit the run's time budget); 64 senders, one 12s deadline. 100 messages, offered evenly over 7s, 64 senders, one deadline 12s after the start for every send.",
		"- storm, 429s received: octosend 10; `nethttp` 8, `retryablehttp` 7, `assembled` 6, `failsafe` 5.",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q", want)
		}
	}
	if got := strings.Count(md, "| **`octosend-failfast`** |"); got != len(Scenarios()) {
		t.Errorf("octosend-failfast rows = %d, want one per scenario (%d)", got, len(Scenarios()))
	}
	if got := strings.Count(md, "| **`octosend`** |"); got != len(Scenarios()) {
		t.Errorf("octosend rows = %d, want one per scenario (%d)", got, len(Scenarios()))
	}
}

func TestSVGWellFormed(t *testing.T) {
	r := sampleReport()
	svg := r.SVG()
	dec := xml.NewDecoder(bytes.NewReader(svg))
	rects, texts := 0, map[string]bool{}
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v", err)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			if el.Name.Local == "rect" {
				rects++
			}
		case xml.CharData:
			texts[strings.TrimSpace(string(el))] = true
		}
	}
	// Background, a legend swatch per driver, a bar per result.
	if want := 1 + len(r.Drivers) + len(svgRows)*len(r.Results); rects != want {
		t.Errorf("SVG has %d rects, want %d", rects, want)
	}
	for _, want := range []string{"octosend", "failsafe", "storm", "outage", "5000", "1.40"} {
		if !texts[want] {
			t.Errorf("SVG lacks the text %q", want)
		}
	}
}

func TestWorkload(t *testing.T) {
	msgs := Workload(120, 50)
	ids := map[string]bool{}
	bad := 0
	for i, m := range msgs {
		if ids[m.ID] {
			t.Fatalf("duplicate id %s", m.ID)
		}
		ids[m.ID] = true
		if isBad := len(m.Destination) < 8; isBad != (i%50 == 49) {
			t.Errorf("message %d: destination %q, bad = %v", i, m.Destination, isBad)
		} else if isBad {
			bad++
		}
	}
	if bad != 2 {
		t.Errorf("bad numbers = %d, want 2", bad)
	}
}

func TestSelect(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    []string
		wantErr bool
	}{
		{"", []string{"clean", "faults", "storm", "outage", "slow", "faults429", "outage64", "outage1000", "quota2000", "quota2000full", "dest429"}, false},
		{"dest429,outage1000", []string{"outage1000", "dest429"}, false},
		{"slow, clean", []string{"clean", "slow"}, false},
		{"clean,nope", nil, true},
	} {
		got, err := Select(tc.in)
		if (err != nil) != tc.wantErr {
			t.Errorf("Select(%q) error = %v, want error %v", tc.in, err, tc.wantErr)
			continue
		}
		var names []string
		for _, s := range got {
			names = append(names, s.Name)
		}
		if strings.Join(names, ",") != strings.Join(tc.want, ",") {
			t.Errorf("Select(%q) = %v, want %v", tc.in, names, tc.want)
		}
	}
	if _, err := SelectDrivers("octosend,bogus"); err == nil {
		t.Error("SelectDrivers accepted an unknown driver")
	}
	if got, _ := SelectDrivers("failsafe,octosend"); len(got) != 2 || got[0].Name != "octosend" {
		t.Errorf("SelectDrivers kept the wrong order: %v", got)
	}
}

func TestQuantiles(t *testing.T) {
	lats := make([]time.Duration, 100)
	done := make([]bool, 100)
	for i := range lats {
		lats[i] = time.Duration(100-i) * time.Millisecond
		done[i] = true
	}
	done[0] = false // the 100ms one never finished: not counted
	var finished []time.Duration
	for i, d := range lats {
		if done[i] {
			finished = append(finished, d)
		}
	}
	p50, p99 := quantiles(finished)
	if p50 != 50*time.Millisecond || p99 != 99*time.Millisecond {
		t.Errorf("quantiles = %v, %v; want 50ms, 99ms", p50, p99)
	}
}

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		in   []float64
		want float64
	}{
		{nil, 0},
		{[]float64{3}, 3},
		{[]float64{9, 1, 5}, 5},
		{[]float64{100, 1, 4, 2}, 3},
	} {
		if got := median(tc.in); got != tc.want {
			t.Errorf("median(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

// The faults target reports a miss without the old explanation (every 429
// paused the tenant), which no longer holds: a lone 429 delays only its
// message.
func TestMarkdownFaultsMiss(t *testing.T) {
	r := sampleReport()
	o := r.result("faults", Subject)
	o.Goodput, o.Wall, o.Got429 = 10, 10*time.Second, 7
	md := r.Markdown()
	if !strings.Contains(md, "goodput 10 msg/s against") || !strings.Contains(md, "**missed**") {
		t.Errorf("Markdown does not report the faults miss:\n%s", md)
	}
	if strings.Contains(md, "pauses the whole tenant") {
		t.Error("Markdown still explains a miss by the old tenant pause")
	}
	if !strings.Contains(md, "The emulator accepts 25 requests/s; goodput: `octosend` 3000.0 msg/s") {
		t.Error("Markdown lacks the storm goodput against the emulator's limit")
	}
}

// TestMarkdownDeliveryTargets checks the lines of issue 12's targets, met
// (the sample report) and missed.
func TestMarkdownDeliveryTargets(t *testing.T) {
	r := sampleReport()
	md := r.Markdown()
	for _, want := range []string{
		// Best peer by delivery: nethttp (2 undelivered), goodput 6000 against 5800.
		"- faults429, `octosend`: undelivered 0 of 100 against 2 for the best peer, `nethttp` (target no more): **met**; " +
			"lost 0, misreported 0 (target 0): **met**; goodput 6000 msg/s against `nethttp`'s 5800, 1.03× (target at least 1×, aim 1.5×): **met**.",
		"- quota2000, `octosend`: undelivered 0 of 100 against 2 for the best peer, `nethttp` (target no more): **met**; lost 0, misreported 0 (target 0): **met**; " +
			"goodput 9000 msg/s, 450% of the 2000/s quota (target at least 90%): **met**; " +
			"10 429s (10.0% of 100 requests) against the fewest of any peer, `failsafe`'s 5 (target fewer): **missed**.",
		// Breaker peers: assembled 4, failsafe 5.
		"- outage64, `octosend-failfast`: undelivered 1 of 100 against 2 for the best peer, `nethttp` (target no more): **met**; lost 0, misreported 0 (target 0): **met**; " +
			"1 requests answered by the outage against 4 for the best breaker peer, `assembled` (target no more): **met**.",
		// Every scenario has the delivery lines, old ones too.
		"- storm, `octosend`: undelivered 0 of 100 against 2 for the best peer, `nethttp` (target no more): **met**; lost 0, misreported 0 (target 0): **met**.",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q", want)
		}
	}

	o := r.result("dest429", Subject)
	o.Undelivered, o.Causes, o.Misreported, o.Goodput = 30, map[string]int{"deadline": 30}, 1, 10
	q := r.result("quota2000full", Subject)
	q.Goodput, q.Got429 = 1700, 1
	ot := r.result("outage1000", Subject)
	ot.Outage = 9
	md = r.Markdown()
	for _, want := range []string{
		"- dest429, `octosend`: undelivered 30 of 100 against 2 for the best peer, `nethttp` (target no more): **missed** (octosend's failures: 30 deadline); " +
			"lost 0, misreported 1 (target 0): **missed**; goodput 10 msg/s against `nethttp`'s 10800, 0.00× (target at least 1×, aim 1.5×): **missed**.",
		"goodput 1700 msg/s, 85% of the 2000/s quota (target at least 90%): **missed**; 1 429s (1.0% of 100 requests) against the fewest of any peer, `failsafe`'s 5 (target fewer): **met**.",
		"9 requests answered by the outage against 4 for the best breaker peer, `assembled` (target no more): **missed**.",
		"- dest429, messages undelivered: octosend 30; `nethttp` 2, `retryablehttp` 3, `assembled` 4, `failsafe` 5.",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q", want)
		}
	}
}
