//go:build injectq_check

package skel

// LogB is log2 of the slots per block. Under the checker blocks have 8
// slots (one State word), so that scenarios of a few operations cross
// blocks, recycle, install and grow.
const LogB = 3

// statePad pads a block to whole lines.
const statePad = Line - B%Line
