// compose-check validates docker-compose.yml with compose-go, the parser `docker compose` itself uses:
// schema, interpolation (the ${VAR:?} guards, fed from an example env file), and consistency
// (depends_on, networks, volumes). It needs no Docker engine.
package main

import (
	"context"
	"fmt"
	"os"
	"sort"

	"github.com/compose-spec/compose-go/v2/cli"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: compose-check <docker-compose.yml> <example.env>")
		os.Exit(2)
	}
	options, err := cli.NewProjectOptions(
		[]string{os.Args[1]},
		cli.WithName("neibao"),
		cli.WithEnvFiles(os.Args[2]),
		cli.WithDotEnv,
		cli.WithConsistency(true),
	)
	if err != nil {
		fail(err)
	}
	project, err := options.LoadProject(context.Background())
	if err != nil {
		fail(err)
	}
	names := project.ServiceNames()
	sort.Strings(names)
	for _, name := range names {
		service := project.Services[name]
		if service.HealthCheck == nil && service.Image != "" && name != "kafka-init" {
			fail(fmt.Errorf("service %s has no healthcheck", name))
		}
	}
	fmt.Printf("%s is valid: %d services %v\n", os.Args[1], len(names), names)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "docker-compose.yml is invalid:", err)
	os.Exit(1)
}
