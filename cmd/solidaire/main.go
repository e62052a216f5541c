// Command solidaire is the Solidaire server: the API, the web pages and the
// webhooks in one binary. It is the only package that knows every concrete
// type; it reads the configuration and wires the adapters together.
//
//	solidaire serve          run the server (migrates first)
//	solidaire migrate        apply database migrations
//	solidaire seed --demo    load the demo data set into an empty database
//	solidaire reconcile      ask the payment provider about pending orders
//	solidaire refunds        pay the refunds still owed, now
//	solidaire outbox         list the newest emails of the outbox
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // event times stay right on hosts without a zoneinfo database
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := Run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, errUsage) {
			fmt.Fprintln(os.Stderr, "solidaire:", err)
		}
		os.Exit(1)
	}
}

var errUsage = errors.New("usage")

const usage = `Solidaire: la place de marché solidaire des commerces locaux.

Usage:
  solidaire serve [flags]        démarre le serveur (applique les migrations)
  solidaire migrate [flags]      applique les migrations de la base
  solidaire seed --demo [flags]  charge les données de démonstration (base vide)
  solidaire reconcile [flags]    rapproche les commandes en attente avec Stripe
  solidaire refunds [flags]      verse maintenant les remboursements encore dus
  solidaire outbox [flags]       affiche les derniers courriels (envoyés ou en attente)

Run "solidaire COMMAND -h" for the flags; each has an environment variable.
`

// Run runs one subcommand with the given arguments and environment; it
// returns when the command is done or, for serve, when ctx is cancelled and
// the server has shut down.
func Run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], getenv, stdout, stderr)
	case "migrate":
		return migrate(ctx, args[1:], getenv, stdout, stderr)
	case "seed":
		return seed(ctx, args[1:], getenv, stdout, stderr)
	case "reconcile":
		return reconcile(ctx, args[1:], getenv, stdout, stderr)
	case "refunds":
		return refunds(ctx, args[1:], getenv, stdout, stderr)
	case "outbox":
		return outbox(ctx, args[1:], getenv, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprintf(stderr, "unknown command %q\n\n%s", args[0], usage)
	return errUsage
}
