package harness

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"math"
)

// colors gives each known driver the same colour in every chart (octosend
// in blues, the bare loop in grey); others take the palette in order.
var colors = map[string]string{
	"octosend": "#1f5fbf", "octosend-failfast": "#7fb0ff", "nethttp": "#8c8c8c",
	"retryablehttp": "#f28e2b", "assembled": "#59a14f", "failsafe": "#b07aa1",
}

var palette = []string{"#e15759", "#76b7b2", "#edc948", "#9c755f"}

func color(i int, driver string) string {
	if c, ok := colors[driver]; ok {
		return c
	}
	return palette[i%len(palette)]
}

// svgRow is one metric drawn as a row of small bar charts, one per
// scenario, each with its own scale.
type svgRow struct {
	title string
	value func(*Result) float64
	label func(float64) string
}

var svgRows = []svgRow{
	{"goodput (accepted messages/s, higher is better)", func(r *Result) float64 { return r.Goodput }, compactNumber},
	{"requests per message (lower is better)", func(r *Result) float64 { return r.Amplification },
		func(v float64) string { return fmt.Sprintf("%.2f", v) }},
	{"messages reported accepted, % (a fast goodput can hide give-ups)", func(r *Result) float64 {
		if r.Messages == 0 {
			return 0
		}
		return 100 * float64(r.Accepted) / float64(r.Messages)
	}, func(v float64) string { return fmt.Sprintf("%.0f", v) }},
}

// SVG renders the goodput and amplification of every driver in every
// scenario as grouped bars: one small chart per scenario and metric, each
// with its own scale (goodputs differ by orders of magnitude between
// scenarios), the value written above every bar.
func (r *Report) SVG() []byte {
	const (
		left, top      = 28.0, 70.0
		cellH          = 200.0
		plotH          = 140.0
		barW, barGap   = 24.0, 6.0
		titleH, bottom = 36.0, 20.0
	)
	nd := len(r.Drivers)
	ns := len(r.Scenarios)
	cellW := float64(nd)*(barW+barGap) + 30
	width := max(left+float64(ns)*cellW+10, 760)
	height := top + float64(len(svgRows))*(cellH+titleH) + bottom

	var b bytes.Buffer
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	w(`<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" font-family="Helvetica,Arial,sans-serif">`+"\n",
		width, height, width, height)
	w(`<rect width="100%%" height="100%%" fill="#ffffff"/>` + "\n")
	w(`<text x="%.0f" y="22" font-size="15" font-weight="bold">%s</text>`+"\n", left, esc(
		fmt.Sprintf("octosend vs peers against the emulator, %s, %d CPUs, %s", r.Date.Format("2006-01-02"), r.Machine.CPUs, r.Machine.GoVersion)))
	// Legend.
	x := left
	for i, d := range r.Drivers {
		w(`<rect x="%.0f" y="34" width="12" height="12" fill="%s"/>`, x, color(i, d.Name))
		w(`<text x="%.0f" y="44" font-size="12">%s</text>`+"\n", x+16, esc(d.Name))
		x += 30 + 7.5*float64(len(d.Name))
	}

	for ri, row := range svgRows {
		y0 := top + float64(ri)*(cellH+titleH)
		w(`<text x="%.0f" y="%.0f" font-size="13" font-weight="bold">%s</text>`+"\n", left, y0+16, esc(row.title))
		for si, sc := range r.Scenarios {
			cx := left + float64(si)*cellW
			cy := y0 + titleH
			base := cy + plotH + 24
			maxV := 0.0
			for _, d := range r.Drivers {
				if res := r.result(sc.Name, d.Name); res != nil {
					maxV = math.Max(maxV, row.value(res))
				}
			}
			if maxV <= 0 {
				maxV = 1
			}
			groupW := float64(nd)*barW + float64(nd-1)*barGap
			gx := cx + (cellW-groupW)/2
			w(`<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#444" stroke-width="1"/>`+"\n", gx-4, base, gx+groupW+4, base)
			for di, d := range r.Drivers {
				res := r.result(sc.Name, d.Name)
				if res == nil {
					continue
				}
				v := row.value(res)
				h := plotH * v / (maxV * 1.1)
				bx := gx + float64(di)*(barW+barGap)
				w(`<rect x="%.1f" y="%.1f" width="%.0f" height="%.1f" fill="%s"><title>%s</title></rect>`+"\n",
					bx, base-h, barW, h, color(di, d.Name), esc(fmt.Sprintf("%s, %s: %s", sc.Name, d.Name, row.label(v))))
				w(`<text x="%.1f" y="%.1f" font-size="9" text-anchor="middle">%s</text>`+"\n", bx+barW/2, base-h-3, esc(row.label(v)))
			}
			w(`<text x="%.1f" y="%.1f" font-size="12" text-anchor="middle">%s</text>`+"\n", cx+cellW/2, base+15, esc(sc.Name))
		}
	}
	w("</svg>\n")
	return b.Bytes()
}

// compactNumber renders 13623 as "13.6k", 745 as "745", 4.5 as "4.5".
func compactNumber(v float64) string {
	switch {
	case v >= 10000:
		return fmt.Sprintf("%.1fk", v/1000)
	case v >= 100:
		return fmt.Sprintf("%.0f", v)
	default:
		return fmt.Sprintf("%.1f", v)
	}
}

// esc escapes text for an SVG text node or attribute.
func esc(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}
