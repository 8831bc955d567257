// compose-check validates docker-compose.yml with compose-go, the parser `docker compose` itself uses:
// schema, interpolation (the ${VAR:?} guards, fed from an example env file), and consistency
// (depends_on, networks, volumes). It needs no Docker engine.
//
// With -processes it prints, as JSON, every service of every profile with its image, command, restart
// policy and resolved environment, for settings_check.py to hold against the services' own Settings.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sort"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
)

type process struct {
	Image       string            `json:"image"`
	Command     []string          `json:"command"`
	Restart     string            `json:"restart"`
	Environment map[string]string `json:"environment"`
}

func main() {
	processes := flag.Bool("processes", false, "print every service's image, command and environment as JSON")
	flag.Parse()
	if flag.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: compose-check [-processes] <docker-compose.yml> <example.env>")
		os.Exit(2)
	}
	project := load(flag.Arg(0), flag.Arg(1), *processes)
	names := project.ServiceNames()
	sort.Strings(names)
	if *processes {
		printProcesses(project, names)
		return
	}
	for _, name := range names {
		service := project.Services[name]
		// One-shot jobs (restart: "no": migrations, topics) exit; everything that stays up says how it
		// is probed, or says explicitly (disable: true) that there is nothing to probe.
		if service.HealthCheck == nil && service.Image != "" && service.Restart != "no" {
			fail(fmt.Errorf("service %s has no healthcheck", name))
		}
	}
	fmt.Printf("%s is valid: %d services %v\n", flag.Arg(0), len(names), names)
}

func load(file, envFile string, allProfiles bool) *types.Project {
	opts := []cli.ProjectOptionsFn{
		cli.WithName("neibao"),
		cli.WithEnvFiles(envFile),
		cli.WithDotEnv,
		cli.WithConsistency(true),
	}
	if allProfiles {
		opts = append(opts, cli.WithProfiles([]string{"*"}))
	}
	options, err := cli.NewProjectOptions([]string{file}, opts...)
	if err != nil {
		fail(err)
	}
	project, err := options.LoadProject(context.Background())
	if err != nil {
		fail(err)
	}
	return project
}

func printProcesses(project *types.Project, names []string) {
	out := map[string]process{}
	for _, name := range names {
		service := project.Services[name]
		env := map[string]string{}
		for key, value := range service.Environment {
			if value != nil {
				env[key] = *value
			}
		}
		out[name] = process{service.Image, service.Command, service.Restart, env}
	}
	encoded, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		fail(err)
	}
	fmt.Println(string(encoded))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "docker-compose.yml is invalid:", err)
	os.Exit(1)
}
