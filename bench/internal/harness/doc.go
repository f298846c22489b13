// Package harness runs the side-by-side benchmark: one workload per
// scenario, sent through each driver against the emulator child, and the
// accounting of what happened (goodput, amplification, waste, 429s,
// duplicates, losses, latency, allocations and CPU per message).
//
// Happy path (a program whose main, or TestMain, first calls
// emuproc.MaybeServe):
//
//	p, err := emuproc.Start(ctx)
//	...
//	defer p.Close()
//	o := harness.DefaultOptions()
//	for _, sc := range harness.Scenarios() {
//		results, err := harness.RunScenario(ctx, p, drivers.All(), sc, o, nil)
//		...
//	}
//	rep := harness.Report{Date: time.Now(), Machine: harness.DescribeMachine(), ...}
//	os.WriteFile("bench/RESULTS.md", []byte(rep.Markdown()), 0o644)
//	os.WriteFile("bench/results.svg", rep.SVG(), 0o644)
package harness
