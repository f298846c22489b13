package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/octosend/octosend/fleet/redistest"
)

func TestRun(t *testing.T) {
	r := redistest.Start(t)
	var out bytes.Buffer
	if err := run(context.Background(), &out, r.Addr, 300); err != nil {
		t.Fatal(err)
	}
	t.Log("\n" + out.String())
	var sent, rate float64
	lines := strings.Split(out.String(), "\n")
	fmt.Sscanf(lines[0], "2 instances sent %g messages", &sent)
	fmt.Sscanf(lines[1], "fleet rate: %g/s", &rate)
	if sent != 300 {
		t.Errorf("sent %v, want 300:\n%s", sent, out.String())
	}
	// 300 messages at 200/s with a burst of 10 take about 1.5s: two
	// instances that did not share the quota would each send at 200/s.
	var grants int
	if len(lines) < 3 || !strings.HasPrefix(lines[2], "fail-open grants: ") {
		t.Errorf("no fail-open count in the output:\n%s", out.String())
	} else {
		fmt.Sscanf(lines[2], "fail-open grants: %d", &grants)
	}
	// Fail-open grants go out on each instance's share of the quota and
	// are charged to it afterwards: the quota holds either way.
	if rate > fleetRate*1.2 || rate < fleetRate/3 {
		t.Errorf("fleet rate %v/s, want about %d/s:\n%s", rate, fleetRate, out.String())
	}
}
