package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"golang.org/x/term"
)

// Exit codes (documented in the package doc and in `octosend help`).
const (
	exitOK     = 0 // every message accepted; the command succeeded
	exitFailed = 1 // at least one message failed, or the run was interrupted
	exitUsage  = 2 // usage, config or input error
)

// cli is what a command runs with: its streams, environment and signals.
// Tests build one by hand; main builds the real one.
type cli struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	// notify starts catching SIGINT and SIGTERM and returns the channel
	// they arrive on, and a function that stops catching them. Commands
	// that handle signals call it; the others die of them as usual.
	notify func() (<-chan os.Signal, func())
	// stderrTTY reports whether stderr is a terminal (progress bar), and
	// width its columns.
	stderrTTY bool
	width     int
	// metricsHook, when set (tests), is called with the /metrics URL of
	// --metrics-addr just before it stops serving, at the command's end.
	metricsHook func(url string)
}

func main() {
	c := &cli{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, notify: notifySignals}
	if fd := int(os.Stderr.Fd()); term.IsTerminal(fd) {
		c.stderrTTY = true
		c.width, _, _ = term.GetSize(fd)
	}
	os.Exit(c.run(context.Background(), os.Args[1:]))
}

func notifySignals() (<-chan os.Signal, func()) {
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	return sig, func() { signal.Stop(sig) }
}

// command is one subcommand.
type command struct {
	name  string
	usage string // the help text
	run   func(c *cli, ctx context.Context, args []string) int
}

func commands() []command {
	return []command{
		{"send", sendUsage, (*cli).send},
		{"bulk", bulkUsage, (*cli).bulk},
		{"policy", policyUsage, (*cli).policy},
		{"emulator", emulatorUsage, (*cli).emulator},
		{"demo", demoUsage, (*cli).demo},
		{"version", versionUsage, (*cli).version},
	}
}

// run runs the command line args (without the program name) and returns
// the exit code.
func (c *cli) run(ctx context.Context, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(c.stderr, mainUsage)
		return exitUsage
	}
	name := args[0]
	switch name {
	case "help", "-h", "-help", "--help":
		return c.help(args[1:])
	case "--version", "-version", "-v":
		return c.version(ctx, args[1:])
	}
	for _, cmd := range commands() {
		if cmd.name == name {
			return cmd.run(c, ctx, args[1:])
		}
	}
	return c.usageErr("", "unknown command %q", name)
}

const helpUsage = `Usage: octosend help [COMMAND]

Prints the overview of octosend (its commands, common flags and exit
codes), or the usage and flags of COMMAND: send, bulk, policy, emulator,
demo, version or help. "octosend COMMAND -h" prints the same.
`

func (c *cli) help(args []string) int {
	if len(args) == 0 {
		fmt.Fprint(c.stdout, mainUsage)
		return exitOK
	}
	if len(args) > 1 {
		return c.usageErr("help", "want at most one COMMAND, got %d arguments", len(args))
	}
	if args[0] == "help" {
		fmt.Fprint(c.stdout, helpUsage)
		return exitOK
	}
	for _, cmd := range commands() {
		if cmd.name == args[0] {
			fmt.Fprint(c.stdout, cmd.usage)
			return exitOK
		}
	}
	return c.usageErr("", "unknown command %q", args[0])
}

// parseFlags parses args with fs, allowing flags after positional
// arguments (`bulk in.jsonl --out r.jsonl`). It returns the positional
// arguments. On -h it prints usage to stdout and returns flag.ErrHelp; on
// a bad flag it prints the error and how to get help to stderr.
func (c *cli) parseFlags(fs *flag.FlagSet, usage string, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprint(c.stdout, usage)
				return nil, err
			}
			c.usageErr(fs.Name(), "%v", err)
			return nil, err
		}
		rest := fs.Args()
		// flag.Parse stops at the first positional argument, and at "--"
		// (which it consumes): after "--" everything is positional.
		consumedDashes := len(rest) > 0 && len(args) > len(rest) && args[len(args)-len(rest)-1] == "--"
		if len(rest) == 0 || consumedDashes {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// usageErr prints a usage error for command name ("" for none, "policy
// check" for a subcommand): the error on one line, and on the next how to
// get the help, which is not printed (it would push the error off the
// screen). It returns exitUsage.
func (c *cli) usageErr(name, format string, a ...any) int {
	msg := fmt.Sprintf(format, a...)
	if name == "" {
		fmt.Fprintf(c.stderr, "octosend: %s\nRun 'octosend help' for the commands and their flags.\n", msg)
		return exitUsage
	}
	cmd, _, _ := strings.Cut(name, " ")
	fmt.Fprintf(c.stderr, "octosend %s: %s\nRun 'octosend help %s' for usage.\n", name, msg, cmd)
	return exitUsage
}

// fail prints an error for command name and returns code.
func (c *cli) fail(name string, code int, err error) int {
	fmt.Fprintf(c.stderr, "octosend %s: %v\n", name, err)
	return code
}

// exitFor maps a parse error to the exit code: 0 for -h, 2 otherwise.
func exitFor(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	return exitUsage
}

const mainUsage = `octosend sends SMS through the 8x8 CPaaS API, and keeps sending when the API,
the network or a tenant's quota misbehaves.

Usage:
  octosend send      --to NUMBER --text TEXT --subaccount ID [--from ID] [flags]
  octosend bulk      --subaccount ID [--config FILE] [--out results.jsonl] [--resume] [--dlr-listen HOST:PORT] INPUT
  octosend policy    explain [--config FILE] [--tenant T [--fallback]]
  octosend policy    check FILE
  octosend emulator  [--addr 127.0.0.1:8088] [--rate N] [--fault-mix MIX] [--seed N] [--api-key K] [--ledger FILE]
  octosend demo      [--messages N] [--tenants N] [--seed N] [--concurrency N] [--semantics S]
  octosend help      [COMMAND]
  octosend version   (or --version)

Common flags (send, bulk):
  --api-key KEY      API key; default $OCTOSEND_API_KEY. Never printed.
  --base-url URL     API base URL; default $OCTOSEND_BASE_URL, else the region's
                     (plain http is allowed for loopback addresses only)
  --region R         apac (default), us, eu or id
  --config FILE      policy config (YAML or JSON): retries, semantics, limits, tenants
  --concurrency N    sends in flight at once (bulk; default 64)

Exit codes:
  0  success: every message was accepted (policy check: the file is valid)
  1  at least one message failed, or the run was interrupted (Ctrl-C)
  2  usage, config or input error: bad flags, an unreadable or invalid file,
     a message the client refuses before sending it (send)

Run 'octosend help COMMAND' for the flags of one command.
`

// trimList splits a comma-separated list, dropping blanks.
func trimList(s string) []string {
	var out []string
	for f := range strings.SplitSeq(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}
