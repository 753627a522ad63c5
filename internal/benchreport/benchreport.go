// Package benchreport turns benchmark measurements into the summary lines
// that `make bench` collects and docs/benchmarks.md records:
//
//	NAME value=X unit=U baseline=Y ratio=R
//
// A benchmark measures its target and a baseline in the same run
// (Interleave alternates them so that drift in the machine's load hits both
// alike), then calls Record. The test binary's TestMain (testenv.Main)
// prints the lines after the benchmarks have run; a benchmark that runs more
// than once (-benchtime 3x) reports the median of its runs.
package benchreport

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"sync"
	"time"
)

// Result is one summary line.
type Result struct {
	Name     string
	Value    float64
	Unit     string
	Baseline float64
}

// Ratio is Value / Baseline.
func (r Result) Ratio() float64 {
	if r.Baseline == 0 {
		return 0
	}
	return r.Value / r.Baseline
}

func (r Result) String() string {
	return fmt.Sprintf("%s value=%s unit=%s baseline=%s ratio=%s",
		r.Name, num(r.Value), r.Unit, num(r.Baseline), strconv.FormatFloat(r.Ratio(), 'f', 3, 64))
}

func num(v float64) string {
	switch {
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 1:
		return strconv.FormatFloat(v, 'f', 2, 64)
	default:
		return strconv.FormatFloat(v, 'g', 4, 64)
	}
}

var (
	mu      sync.Mutex
	samples = map[string][]Result{}
	order   []string
)

// Record adds one run's result for the summary.
func Record(name string, value float64, unit string, baseline float64) {
	mu.Lock()
	defer mu.Unlock()
	if _, ok := samples[name]; !ok {
		order = append(order, name)
	}
	samples[name] = append(samples[name], Result{Name: name, Value: value, Unit: unit, Baseline: baseline})
}

// Summary returns one result per name, in the order first recorded: the
// median value and the median baseline over the runs.
func Summary() []Result {
	mu.Lock()
	defer mu.Unlock()
	out := make([]Result, 0, len(order))
	for _, n := range order {
		runs := samples[n]
		vs := make([]float64, len(runs))
		bs := make([]float64, len(runs))
		for i, r := range runs {
			vs[i], bs[i] = r.Value, r.Baseline
		}
		out = append(out, Result{Name: n, Value: medianOf(vs), Unit: runs[0].Unit, Baseline: medianOf(bs)})
	}
	return out
}

// Print writes the summary lines.
func Print(w io.Writer) {
	for _, r := range Summary() {
		fmt.Fprintln(w, r)
	}
}

func medianOf(xs []float64) float64 {
	slices.Sort(xs)
	return xs[len(xs)/2]
}

// Interleave runs target and baseline `rounds` times each, alternating which
// goes first, and returns the lower quartile of each side's round
// durations. On a small shared machine, rounds are bimodal: most run at the
// code's own cost, some are slowed two- or threefold by scheduling
// interference that has nothing to do with the code. The lower quartile
// estimates the code's own cost, and treats target and baseline alike.
func Interleave(rounds int, target, baseline func()) (targetRound, baselineRound time.Duration) {
	timed := func(f func()) time.Duration {
		start := time.Now()
		f()
		return time.Since(start)
	}
	ts := make([]time.Duration, rounds)
	bs := make([]time.Duration, rounds)
	for i := 0; i < rounds; i++ {
		if i%2 == 0 {
			ts[i] = timed(target)
			bs[i] = timed(baseline)
		} else {
			bs[i] = timed(baseline)
			ts[i] = timed(target)
		}
	}
	return lowerQuartile(ts), lowerQuartile(bs)
}

func lowerQuartile(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/4]
}

// PerSecond is ops divided by d in seconds.
func PerSecond(ops int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(ops) / d.Seconds()
}
