package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"
)

const sendUsage = `Usage: octosend send --to NUMBER --text TEXT --subaccount ID [flags]

Sends one SMS, with the retry policy, and prints the result: on success the
umid on stdout; on failure why, after how many attempts, on stderr.

Flags:
  --to NUMBER               destination, E.164 with or without +
  --text TEXT               message text
  --subaccount ID           8x8 sub-account
  --from ID                 sender id (source)
  --client-message-id ID    your reference (default: a fresh UUID)
  --json                    print the result as one JSON line (the bulk record)
  --config FILE             policy config (YAML or JSON)
  --api-key KEY             API key (default $OCTOSEND_API_KEY); never printed
  --base-url URL            API base URL (default $OCTOSEND_BASE_URL, else the region's)
  --region R                apac (default), us, eu or id

Exit status: 0 accepted, 1 failed, 2 usage, config or input error (a message
the client refuses before sending it, e.g. an invalid sub-account id).
`

func (c *cli) send(ctx context.Context, args []string) int {
	var f commonFlags
	fs := flag.NewFlagSet("send", flag.ContinueOnError)
	f.register(fs, false)
	to := fs.String("to", "", "")
	text := fs.String("text", "", "")
	sub := fs.String("subaccount", "", "")
	from := fs.String("from", "", "")
	cmid := fs.String("client-message-id", "", "")
	asJSON := fs.Bool("json", false, "")
	pos, err := c.parseFlags(fs, sendUsage, args)
	if err != nil {
		return exitFor(err)
	}
	if len(pos) > 0 {
		return c.usageErr("send", "unexpected argument %q", pos[0])
	}
	var missing []string
	for _, r := range []struct{ name, v string }{{"--to", *to}, {"--text", *text}, {"--subaccount", *sub}} {
		if r.v == "" {
			missing = append(missing, r.name)
		}
	}
	if len(missing) > 0 {
		return c.usageErr("send", "missing %s", strings.Join(missing, ", "))
	}
	if err := f.resolve(c.getenv); err != nil {
		return c.usageErr("send", "%v", err)
	}
	cl, err := newClient(&f, nil, clientCounters{})
	if err != nil {
		return c.fail("send", exitUsage, err)
	}
	defer cl.Close()

	// Ctrl-C cancels the send.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	signals, stopSignals := c.notify()
	defer stopSignals()
	go func() {
		select {
		case <-signals:
			cancel()
		case <-ctx.Done():
		}
	}()

	m := &message{Destination: *to, Text: *text, Source: *from, ClientMessageID: *cmid, SubAccount: *sub}
	r := clientSend(cl)(ctx, m)
	if *asJSON {
		b, _ := json.Marshal(&r)
		fmt.Fprintf(c.stdout, "%s\n", b)
	} else if r.Status == statusAccepted {
		fmt.Fprintf(c.stdout, "accepted umid=%s clientMessageId=%s attempts=%d%s\n",
			r.UMID, r.ClientMessageID, r.Attempts, ambiguousNote(r.Ambiguous))
	}
	if r.Status != statusAccepted {
		if !*asJSON {
			note := ""
			if r.Ambiguous {
				note = " (ambiguous: it may have been delivered anyway)"
			}
			fmt.Fprintf(c.stderr, "octosend send: %s%s\n", r.Error, note)
		}
		if r.invalid {
			return exitUsage // refused before any request: an input error
		}
		return exitFailed
	}
	return exitOK
}

func ambiguousNote(ambiguous bool) string {
	if ambiguous {
		return " (ambiguous: an earlier attempt may also have been accepted)"
	}
	return ""
}
