// Package lincheck holds the linearizability check of injectq's queue: it
// records concurrent histories of Push, PushBatch, Pop and PopN on every
// backend and checks each against a sequential FIFO model with porcupine.
// It is a module of its own so that the library's go.mod keeps its three
// dependencies.
package lincheck
