package main

import (
	"context"
	"fmt"
	"runtime/debug"
	"strings"
)

const versionUsage = `Usage: octosend version   (or octosend --version)

Prints the octosend module version and the VCS revision it was built from
(with "+dirty" when the tree had uncommitted changes), as the Go toolchain
recorded them in the binary, and the Go version.
`

func (c *cli) version(_ context.Context, args []string) int {
	if len(args) > 0 {
		if args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
			fmt.Fprint(c.stdout, versionUsage)
			return exitOK
		}
		return c.usageErr("version", "unexpected argument %q", args[0])
	}
	bi, _ := debug.ReadBuildInfo()
	fmt.Fprintln(c.stdout, versionString(bi))
	return exitOK
}

// versionString renders the build info bi (nil when the binary has none):
// "octosend v1.2.3 (revision 0123456789ab+dirty, 2026-01-02T03:04:05Z, go1.26.0)".
func versionString(bi *debug.BuildInfo) string {
	if bi == nil {
		return "octosend (unknown version: no build information in the binary)"
	}
	version := bi.Main.Version
	if version == "" {
		version = "(devel)"
	}
	var rev, when string
	dirty := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			when = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	parts := make([]string, 0, 3)
	switch {
	case rev == "":
		parts = append(parts, "revision unknown: built without VCS information")
	default:
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if dirty {
			rev += "+dirty"
		}
		parts = append(parts, "revision "+rev)
	}
	if when != "" {
		parts = append(parts, when)
	}
	parts = append(parts, bi.GoVersion)
	return "octosend " + version + " (" + strings.Join(parts, ", ") + ")"
}
