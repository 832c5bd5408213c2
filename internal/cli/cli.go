// Package cli is the partnerdesk command line: a registry of subcommands,
// each defined in its own cmd_*.go file, dispatched by Run.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Command is one subcommand. Run receives the arguments after the command
// name and writes human output to env.Stdout.
type Command struct {
	Name    string
	Summary string
	Usage   string // one line of arguments, e.g. "[--addr HOST:PORT]"
	// Flags declares the command's flags on fs; it may return a value the
	// Run function reads after parsing (usually via closures instead).
	Flags func(fs *flag.FlagSet)
	Run   func(ctx context.Context, env *Env, args []string) error
}

// Env is what a command runs with.
type Env struct {
	Stdout, Stderr io.Writer
	Getenv         func(string) string
}

var commands = map[string]*Command{}

// Register adds a command; it is called from init functions.
func Register(c *Command) {
	if _, dup := commands[c.Name]; dup {
		panic("cli: duplicate command " + c.Name)
	}
	commands[c.Name] = c
}

// ErrUsage marks an error caused by bad command-line use (exit code 2).
var ErrUsage = errors.New("usage")

// Run dispatches args (without the program name) and returns the exit code.
func Run(ctx context.Context, env *Env, args []string) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printHelp(env.Stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(env.Stderr, "partnerdesk: unknown command %q (see partnerdesk --help)\n", args[0])
		return 2
	}
	fs := flag.NewFlagSet("partnerdesk "+c.Name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.Stderr, "Usage: partnerdesk %s %s\n\n%s\n", c.Name, c.Usage, c.Summary)
		if hasFlags(fs) {
			fmt.Fprintln(env.Stderr, "\nFlags:")
			fs.PrintDefaults()
		}
	}
	if c.Flags != nil {
		c.Flags(fs)
	}
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if err := c.Run(ctx, env, fs.Args()); err != nil {
		fmt.Fprintf(env.Stderr, "partnerdesk %s: %v\n", c.Name, err)
		if errors.Is(err, ErrUsage) {
			return 2
		}
		return 1
	}
	return 0
}

func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

func printHelp(w io.Writer) {
	names := make([]string, 0, len(commands))
	width := 0
	for n := range commands {
		names = append(names, n)
		width = max(width, len(n))
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("partnerdesk — the Klarna dashboard for acquiring partners\n\nUsage: partnerdesk <command> [flags]\n\nCommands:\n")
	for _, n := range names {
		fmt.Fprintf(&b, "  %-*s  %s\n", width, n, commands[n].Summary)
	}
	b.WriteString("\nRun 'partnerdesk <command> --help' for a command's flags.\n")
	io.WriteString(w, b.String())
}
