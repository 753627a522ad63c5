package main

import (
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/wardnet/wardnet-cloud/agent"
)

func newTokenCmd(g *globals) *cobra.Command {
	var raw bool
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Mint a daemon token and print its claims",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			tok, err := c.Token(cmd.Context())
			if err != nil {
				if c.Suspended() {
					return fmt.Errorf("%w\nsuspended: the tenant is deregistered or has no active subscription", err)
				}
				return err
			}
			if raw {
				fmt.Fprintln(g.out, tok)
				return nil
			}
			claims, err := agent.ParseClaims(tok)
			if err != nil {
				return fmt.Errorf("read the token's claims: %w", err)
			}
			return printClaims(g, claims, time.Now())
		},
	}
	cmd.Flags().BoolVar(&raw, "raw", false, "print the token itself (a bearer credential: handle with care)")
	return cmd
}

func printClaims(g *globals, c agent.Claims, now time.Time) error {
	scope := "tenant (no network yet)"
	if c.Network != "" {
		scope = "network " + string(c.Network)
	}
	tw := tabwriter.NewWriter(g.out, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "tenant\t%s\n", c.TenantID)
	fmt.Fprintf(tw, "scope\t%s\n", scope)
	fmt.Fprintf(tw, "principal\t%s\n", c.Principal)
	fmt.Fprintf(tw, "subject\t%s\n", c.Subject)
	fmt.Fprintf(tw, "audience\t%s\n", strings.Join(c.Audience, ", "))
	fmt.Fprintf(tw, "issuer\t%s\n", c.Issuer)
	fmt.Fprintf(tw, "issued\t%s\n", unixTime(c.IssuedAt))
	exp := time.Unix(c.ExpiresAt, 0)
	fmt.Fprintf(tw, "expires\t%s (in %s)\n", unixTime(c.ExpiresAt), exp.Sub(now).Round(time.Second))
	return tw.Flush()
}

func unixTime(sec int64) string {
	if sec == 0 {
		return "-"
	}
	return time.Unix(sec, 0).UTC().Format(time.RFC3339)
}
