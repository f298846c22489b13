package main

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// The chart's geometry.
const (
	chartW         = 960
	left, right    = 64, 24
	plotW          = chartW - left - right
	aTop, aHeight  = 78, 220 // panel A: answers per second
	bTop, bHeight  = 360, 130
	chartH         = bTop + bHeight + 56
	colorOK        = "#2e7d32"
	color503       = "#c62828"
	color429       = "#ef6c00"
	colorAccepted  = "#1f5fbf"
	colorRate      = "#6a3d9a"
	shadeOutage    = "#fde0e0"
	shadeStorm     = "#ffe9cc"
	shadeDrain     = "#eeeeee"
	shadeOpen      = "#f4a3a3"
	gridColor      = "#dddddd"
	axisColor      = "#444444"
	seriesStrokeW  = 2
	legendFontSize = 12
)

// svgSeries is one line of a panel.
type svgSeries struct {
	name, color string
	dash        bool
	ys          []float64
}

// SVG draws the run: answers and accepted sends per second, with the
// phases shaded; below, the adaptive rate of the first tenant and when a
// breaker was open.
func (r *result) SVG() string {
	var b strings.Builder
	n := len(r.samples)
	xs := make([]float64, n)
	tEnd := r.samples[n-1].At.Seconds()
	x := func(sec float64) float64 { return left + sec/tEnd*plotW }
	for i, s := range r.samples {
		xs[i] = x(s.At.Seconds())
	}
	rate := func(f func(sample) int64) []float64 {
		ys := make([]float64, n)
		for i := 1; i < n; i++ {
			dt := (r.samples[i].At - r.samples[i-1].At).Seconds()
			if dt > 0 {
				ys[i] = float64(f(r.samples[i])-f(r.samples[i-1])) / dt
			}
		}
		return ys
	}
	answers := []svgSeries{
		{"200 OK", colorOK, false, rate(func(s sample) int64 { return s.Status200 })},
		{"503", color503, false, rate(func(s sample) int64 { return s.Status503 })},
		{"429", color429, false, rate(func(s sample) int64 { return s.Status429 })},
		{"sends accepted", colorAccepted, true, rate(func(s sample) int64 { return s.Accepted })},
	}
	rates := make([]float64, n)
	for i, s := range r.samples {
		rates[i] = s.Rate
	}

	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="Helvetica,Arial,sans-serif">`+"\n", chartW, chartH, chartW, chartH)
	b.WriteString(`<rect width="100%" height="100%" fill="#ffffff"/>` + "\n")
	fmt.Fprintf(&b, `<text x="%d" y="24" font-size="15" font-weight="bold">octosend metrics through an outage and a 429 storm: %d msg/s offered over %d tenants, phases of %s</text>`+"\n",
		left, r.cfg.Rate, len(tenants), r.cfg.Phase)
	legend(&b, answers, 46)

	// Phase shading and labels, across both panels: the outage, the
	// storm, and the drain after the load stopped.
	shade := func(x0, x1 float64, color, label string) {
		fmt.Fprintf(&b, `<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"/>`+"\n", x0, aTop, x1-x0, aHeight, color)
		fmt.Fprintf(&b, `<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s"/>`+"\n", x0, bTop, x1-x0, bHeight, color)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="11" fill="#555">%s</text>`+"\n", x0+3, aTop-6, label)
	}
	for i, name := range phases {
		color := map[string]string{"outage (503)": shadeOutage, "429 storm": shadeStorm}[name]
		if color != "" {
			shade(x((time.Duration(i) * r.cfg.Phase).Seconds()), x((time.Duration(i+1) * r.cfg.Phase).Seconds()), color, name)
		}
	}
	shade(x(r.loadEnd.Seconds()), x(tEnd), shadeDrain, "load stopped: the backlog drains; the bursts are retries the retry budget held")

	// Panel A.
	maxA := 0.0
	for _, s := range answers {
		for _, y := range s.ys {
			maxA = math.Max(maxA, y)
		}
	}
	yA := axis(&b, aTop, aHeight, maxA, "answers and sends per second")
	for _, s := range answers {
		polyline(&b, xs, s.ys, yA, s.color, s.dash)
	}

	// Panel B: breaker open (shaded), adaptive rate (line).
	for i := 1; i < n; i++ {
		if r.samples[i].BreakersOpen > 0 {
			fmt.Fprintf(&b, `<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s" opacity="0.7"/>`+"\n", xs[i-1], bTop, xs[i]-xs[i-1], bHeight, shadeOpen)
		}
	}
	maxB := 0.0
	for _, y := range rates {
		maxB = math.Max(maxB, y)
	}
	yB := axis(&b, bTop, bHeight, maxB, "adaptive rate of "+tenants[0]+" (req/s)")
	polyline(&b, xs, rates, yB, colorRate, false)
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="12" height="12" fill="%s"/><text x="%d" y="%d" font-size="%d">breaker open</text>`+"\n",
		chartW-right-220, bTop-22, shadeOpen, chartW-right-204, bTop-12, legendFontSize)
	fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"/><text x="%d" y="%d" font-size="%d">limiter rate</text>`+"\n",
		chartW-right-110, bTop-16, chartW-right-96, bTop-16, colorRate, chartW-right-90, bTop-12, legendFontSize)

	// The time axis, under panel B.
	step := niceStep(tEnd / 8)
	for sec := 0.0; sec <= tEnd; sec += step {
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="11" text-anchor="middle">%gs</text>`+"\n", x(sec), bTop+bHeight+16, sec)
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="11" fill="#555">time since the start, to the end of the last send (the metrics collected with an SDK ManualReader every %s)</text>`+"\n",
		left, bTop+bHeight+38, r.cfg.Phase/8)
	b.WriteString("</svg>\n")
	return b.String()
}

// legend draws the series' keys in a row at y.
func legend(b *strings.Builder, ss []svgSeries, y int) {
	x := left
	for _, s := range ss {
		dash := ""
		if s.dash {
			dash = ` stroke-dasharray="6,3"`
		}
		fmt.Fprintf(b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="%d"%s/><text x="%d" y="%d" font-size="%d">%s</text>`+"\n",
			x, y-4, x+18, y-4, s.color, seriesStrokeW, dash, x+24, y, legendFontSize, s.name)
		x += 36 + 8*len(s.name)
	}
}

// axis draws a panel's frame, grid and y labels for values up to max,
// and returns the value-to-y mapping.
func axis(b *strings.Builder, top, height int, max float64, title string) func(float64) float64 {
	step := niceStep(max / 4)
	top4 := math.Max(1, math.Ceil(max/step)) * step
	y := func(v float64) float64 { return float64(top+height) - v/top4*float64(height) }
	for v := 0.0; v <= top4+step/2; v += step {
		fmt.Fprintf(b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="%s" stroke-width="1"/>`+"\n", left, y(v), chartW-right, y(v), gridColor)
		fmt.Fprintf(b, `<text x="%d" y="%.1f" font-size="10" text-anchor="end">%g</text>`+"\n", left-6, y(v)+3, v)
	}
	fmt.Fprintf(b, `<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="%s" stroke-width="1"/>`+"\n", left, top, plotW, height, axisColor)
	fmt.Fprintf(b, `<text x="%d" y="%d" font-size="12" font-weight="bold" text-anchor="end">%s</text>`+"\n", chartW-right-6, top+16, title)
	return y
}

// niceStep rounds a grid step up to 1, 2, 2.5 or 5 times a power of ten.
func niceStep(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

func polyline(b *strings.Builder, xs, ys []float64, y func(float64) float64, color string, dash bool) {
	var pts strings.Builder
	for i := range xs {
		fmt.Fprintf(&pts, "%.1f,%.1f ", xs[i], y(ys[i]))
	}
	d := ""
	if dash {
		d = ` stroke-dasharray="6,3"`
	}
	fmt.Fprintf(b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="%d"%s stroke-linejoin="round"/>`+"\n",
		strings.TrimSpace(pts.String()), color, seriesStrokeW, d)
}
