module github.com/injectq/injectq/lincheck

go 1.26.0

replace github.com/injectq/injectq => ../

require (
	github.com/anishathalye/porcupine v1.3.1
	github.com/injectq/injectq v0.0.0-00010101000000-000000000000
	github.com/stretchr/testify v1.12.1
)

require (
	github.com/klauspost/cpuid/v2 v2.4.2 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	golang.org/x/sys v0.50.0 // indirect
)
