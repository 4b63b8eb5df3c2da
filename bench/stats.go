package bench

import (
	"math"
	"slices"
)

// summary is the spread of one cell's repetitions.
type summary struct {
	N                  int
	Med, Min, Max      float64
	Q1, Q3             float64
	RMed, RMin, RMax   float64 // ratio to the channel, per repetition
	HasRatio           bool
	BytesMed, BytesMax float64 // allocated bytes per item (NaN: not measured)
	AllocsMed          float64
}

// quantile returns the q-quantile of sorted xs by linear interpolation.
func quantile(sorted []float64, q float64) float64 {
	if len(sorted) == 0 {
		return math.NaN()
	}
	pos := q * float64(len(sorted)-1)
	lo := int(math.Floor(pos))
	hi := min(lo+1, len(sorted)-1)
	return sorted[lo] + (sorted[hi]-sorted[lo])*(pos-float64(lo))
}

func finite(xs []float64) []float64 {
	var out []float64
	for _, x := range xs {
		if !math.IsNaN(x) && !math.IsInf(x, 0) {
			out = append(out, x)
		}
	}
	slices.Sort(out)
	return out
}

func summarize(s, base *Series) summary {
	v := finite(s.Vals)
	sm := summary{N: len(v), Med: quantile(v, .5), Q1: quantile(v, .25), Q3: quantile(v, .75),
		Min: math.NaN(), Max: math.NaN()}
	if len(v) > 0 {
		sm.Min, sm.Max = v[0], v[len(v)-1]
	}
	if base != nil {
		var rs []float64
		for i := range min(len(s.Vals), len(base.Vals)) {
			if b := base.Vals[i]; b > 0 && !math.IsNaN(s.Vals[i]) {
				rs = append(rs, s.Vals[i]/b)
			}
		}
		rs = finite(rs)
		if len(rs) > 0 {
			sm.HasRatio = true
			sm.RMed, sm.RMin, sm.RMax = quantile(rs, .5), rs[0], rs[len(rs)-1]
		}
	}
	b := finite(s.Bytes)
	sm.BytesMed, sm.BytesMax = quantile(b, .5), math.NaN()
	if len(b) > 0 {
		sm.BytesMax = b[len(b)-1]
	}
	sm.AllocsMed = quantile(finite(s.Allocs), .5)
	return sm
}

// spreadPct is half the interquartile range relative to the median, in
// percent.
func (s summary) spreadPct() float64 {
	if s.Med == 0 || math.IsNaN(s.Med) {
		return math.NaN()
	}
	return (s.Q3 - s.Q1) / 2 / math.Abs(s.Med) * 100
}

// percentiles returns the p-th percentiles (0..100) of unsorted
// latencies, sorting a copy.
func percentiles(lat []int64, ps ...float64) []float64 {
	s := slices.Clone(lat)
	slices.Sort(s)
	out := make([]float64, len(ps))
	for i, p := range ps {
		if len(s) == 0 {
			out[i] = math.NaN()
			continue
		}
		// Nearest rank.
		k := int(math.Ceil(p/100*float64(len(s))-1e-9)) - 1
		out[i] = float64(s[max(0, min(k, len(s)-1))])
	}
	return out
}
