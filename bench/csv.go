// results.csv: one row per (cell, metric, contender), with every
// repetition's value, for analysis outside the report.

package bench

import (
	"bytes"
	"encoding/csv"
	"math"
	"strconv"
	"strings"
)

// CSVHeader is the first row of results.csv.
var CSVHeader = []string{"scenario", "cell", "gomaxprocs", "size", "producers", "consumers", "batch", "impl", "kind", "default",
	"metric", "unit", "items_per_run", "reps", "median", "min", "max", "q1", "q3", "ratio_to_chan", "ratio_min", "ratio_max",
	"bytes_per_item", "allocs_per_item", "values"}

// CSV renders results.csv: one row per (cell, metric, contender).
func (r *Results) CSV() ([]byte, error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.Write(CSVHeader); err != nil {
		return nil, err
	}
	kind := map[string]string{}
	for _, c := range r.Contenders {
		kind[c.Name] = c.Kind
	}
	f := func(v float64) string {
		if math.IsNaN(v) {
			return ""
		}
		return strconv.FormatFloat(v, 'g', 6, 64)
	}
	for _, k := range r.order {
		s := r.series[k]
		sm := summarize(s, r.Lookup(k.scenario, k.cell, k.metric, "chan"))
		ratio := []string{"", "", ""}
		if sm.HasRatio {
			ratio = []string{f(sm.RMed), f(sm.RMin), f(sm.RMax)}
		}
		vals := mapSlice(s.Vals, f)
		rec := []string{s.Scenario, s.Cell, strconv.Itoa(s.Procs), strconv.Itoa(s.Size), strconv.Itoa(s.P), strconv.Itoa(s.C), strconv.Itoa(s.Batch),
			s.Impl, kind[s.Impl], strconv.FormatBool(s.Impl == r.Default), s.Metric, s.Unit, strconv.Itoa(s.Items), strconv.Itoa(sm.N),
			f(sm.Med), f(sm.Min), f(sm.Max), f(sm.Q1), f(sm.Q3), ratio[0], ratio[1], ratio[2],
			f(sm.BytesMed), f(sm.AllocsMed), strings.Join(vals, ";")}
		if err := w.Write(rec); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return b.Bytes(), w.Error()
}
