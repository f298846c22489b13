// Command octosend sends SMS through the 8x8 CPaaS API with the octosend
// client: retries by policy, per-tenant rate limits, circuit breakers, and
// an exact account of every message.
//
// The happy path:
//
//	export OCTOSEND_API_KEY=...                      # never printed
//	octosend send --subaccount acme --to +6591234567 --text "hello"
//	octosend bulk --subaccount acme --config policy.yaml --out results.jsonl messages.jsonl
//	octosend bulk --subaccount acme --out results.jsonl --resume messages.jsonl   # after Ctrl-C or a crash
//	octosend demo                                    # the embedded emulator, 20,000 messages, faults
//
// Commands:
//
//	send      one SMS; prints the umid, or why it failed
//	bulk      a JSONL or CSV file of messages, with a progress bar on a terminal
//	          (plain periodic lines otherwise, on stderr) and a results file of one
//	          JSON line per input message; --resume continues an interrupted run
//	          without losing or re-sending a message
//	policy    explain prints the effective policy table; check validates a
//	          policy file with line-numbered errors
//	emulator  runs the 8x8 API emulator on a loopback address until Ctrl-C
//	demo      bulk-sends a generated workload to the embedded emulator under
//	          faults and reconciles the outcomes with its ledger
//
// Exit codes:
//
//	0  success: every message accepted (policy check: the file is valid)
//	1  at least one message failed, or the run was interrupted (Ctrl-C);
//	   demo: a message was lost or a delivered message was reported failed
//	   without the ambiguous flag
//	2  usage, config or input error: bad flags, an unreadable or invalid
//	   file, a results file that does not match the input; send: a message
//	   the client refuses before any request
//
// A usage error prints one line, and one more naming the help to read.
// "octosend version" (or --version) prints the module version and VCS
// revision the binary was built from.
//
// Run "octosend help COMMAND" for the flags of each command.
package main
