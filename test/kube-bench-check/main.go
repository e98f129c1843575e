// kube-bench-check parses `kubectl cis-netpol -o kube-bench` output with kube-bench's own Go
// types (check.OverallControls, the type `kube-bench --json` marshals), refusing unknown fields,
// and checks what tools that ingest kube-bench rely on: states, 5.3.2 test numbers, and totals
// that add up. Usage: kube-bench-check < report.json; exit 0 when the report is accepted.
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/aquasecurity/kube-bench/check"
)

func fail(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "kube-bench-check: "+format+"\n", a...)
	os.Exit(1)
}

func main() {
	dec := json.NewDecoder(os.Stdin)
	dec.DisallowUnknownFields()
	var out check.OverallControls
	if err := dec.Decode(&out); err != nil {
		fail("not kube-bench JSON: %v", err)
	}
	if len(out.Controls) == 0 {
		fail("no Controls")
	}
	var sum check.Summary
	checks := 0
	for _, c := range out.Controls {
		if c.ID == "" || c.Version == "" || c.Type == "" {
			fail("control without id, version or node_type: %+v", c)
		}
		var csum check.Summary
		for _, g := range c.Groups {
			var gsum check.Summary
			for _, r := range g.Checks {
				checks++
				if r.ID != "5.3.2" {
					fail("check %q is not 5.3.2", r.ID)
				}
				switch r.State {
				case check.PASS:
					gsum.Pass++
				case check.FAIL:
					gsum.Fail++
				case check.WARN:
					gsum.Warn++
				case check.INFO:
					gsum.Info++
				default:
					fail("check %q has state %q, not one of kube-bench's", r.Text, r.State)
				}
			}
			if gsum.Pass != g.Pass || gsum.Fail != g.Fail || gsum.Warn != g.Warn || gsum.Info != g.Info {
				fail("group %s counts %+v, its results say %+v", g.ID, g, gsum)
			}
			csum.Pass += gsum.Pass
			csum.Fail += gsum.Fail
			csum.Warn += gsum.Warn
			csum.Info += gsum.Info
		}
		if csum != c.Summary {
			fail("control %s totals %+v, its groups say %+v", c.ID, c.Summary, csum)
		}
		sum.Pass += csum.Pass
		sum.Fail += csum.Fail
		sum.Warn += csum.Warn
		sum.Info += csum.Info
	}
	if sum != out.Totals {
		fail("Totals %+v, the controls say %+v", out.Totals, sum)
	}
	fmt.Printf("ok: %d checks, pass %d fail %d warn %d info %d\n", checks, sum.Pass, sum.Fail, sum.Warn, sum.Info)
}
