//go:build !injectq_check

package skel

// LogB is log2 of the slots per block. 1024 slots amortise the block
// crossing (walk, install, recycle) to well under a nanosecond per item;
// the README's design notes ("Blocks are 1024 slots") give the measurement
// against 256 and 4096.
const LogB = 10

// statePad pads a block to whole lines: none at 1024 slots.
const statePad = 0
