package main

import (
	"errors"
	"flag"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/octosend/octosend/emulator"
)

// emulatorDLRFlags are the flags that make `octosend emulator` post
// delivery receipts (emulator.Config.DLR).
type emulatorDLRFlags struct {
	url         string
	auth        string
	delay       time.Duration
	undelivered float64
	repeat      float64
	codes       string
	scale       float64
}

func (f *emulatorDLRFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.url, "dlr-url", "", "")
	fs.StringVar(&f.auth, "dlr-auth", "", "")
	fs.DurationVar(&f.delay, "dlr-delay", time.Second, "")
	fs.Float64Var(&f.undelivered, "dlr-undelivered", 0, "")
	fs.Float64Var(&f.repeat, "dlr-repeat", 0, "")
	fs.StringVar(&f.codes, "dlr-error-codes", "", "")
	fs.Float64Var(&f.scale, "dlr-scale", 1, "")
}

// config returns the emulator's DLR settings; the zero DLR (off) without
// --dlr-url.
func (f *emulatorDLRFlags) config(getenv func(string) string) (emulator.DLR, error) {
	if f.url == "" {
		return emulator.DLR{}, nil
	}
	u, err := url.Parse(f.url)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return emulator.DLR{}, fmt.Errorf("--dlr-url %q: want an absolute http(s) URL", f.url)
	}
	auth := f.auth
	if auth == "" {
		auth = getenv("OCTOSEND_DLR_AUTH")
	}
	switch {
	case f.delay < 0:
		return emulator.DLR{}, fmt.Errorf("--dlr-delay %s: want 0 or more", f.delay)
	case !(f.undelivered >= 0 && f.undelivered <= 1):
		return emulator.DLR{}, errors.New("--dlr-undelivered: want a share in [0, 1]")
	case !(f.repeat >= 0 && f.repeat <= 1):
		return emulator.DLR{}, errors.New("--dlr-repeat: want a share in [0, 1]")
	case !(f.scale > 0 && f.scale <= 1000):
		return emulator.DLR{}, errors.New("--dlr-scale: want a number in (0, 1000]")
	case strings.ContainsAny(auth, "\r\n"):
		return emulator.DLR{}, errors.New("--dlr-auth: contains a line break")
	}
	d := emulator.DLR{URL: f.url, Authorization: auth, Delay: f.delay, Undelivered: f.undelivered,
		Repeat: f.repeat, Scale: f.scale}
	for _, s := range trimList(f.codes) {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return emulator.DLR{}, fmt.Errorf("--dlr-error-codes: %q is not a DLR error code", s)
		}
		d.ErrorCodes = append(d.ErrorCodes, n)
	}
	return d, nil
}

// printEmulatorDLRStats prints what became of the receipts, when the
// emulator posted any.
func printEmulatorDLRStats(c *cli, srv *emulator.Server) {
	d := srv.Stats().DLR
	if d == (emulator.DLRStats{}) {
		return
	}
	fmt.Fprintf(c.stderr, "  receipts: %d planned, %d posted, %d POSTs failed, %d lost, %d pending\n",
		d.Planned, d.Posted, d.Failed, d.Lost+d.Refused+d.Dropped, d.Pending)
}
