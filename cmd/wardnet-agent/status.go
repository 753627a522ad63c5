package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

func newStatusCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "Show the local identity and what it is bound to (sends nothing)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			s := c.Status()
			tw := tabwriter.NewWriter(g.out, 0, 4, 2, ' ', 0)
			fmt.Fprintf(tw, "server\t%s\n", s.Server)
			fmt.Fprintf(tw, "ddns\t%s\n", s.DDNS)
			fmt.Fprintf(tw, "state\t%s\n", s.StatePath)
			if !s.Enrolled() {
				fmt.Fprintf(tw, "enrolled\tno\n")
				return tw.Flush()
			}
			fmt.Fprintf(tw, "enrolled\tyes\n")
			fmt.Fprintf(tw, "public key\t%s\n", s.PublicKey)
			fmt.Fprintf(tw, "tenant\t%s\n", s.TenantID)
			if !s.Registered() {
				fmt.Fprintf(tw, "network\tnone\n")
				return tw.Flush()
			}
			fmt.Fprintf(tw, "network\t%s\n", s.NetworkID)
			fmt.Fprintf(tw, "slug\t%s\n", s.Slug)
			fmt.Fprintf(tw, "region\t%s\n", s.Region)
			if s.LastIPv4 != "" {
				fmt.Fprintf(tw, "last IPv4\t%s\n", s.LastIPv4)
			}
			if s.LastIPv6 != "" {
				fmt.Fprintf(tw, "last IPv6\t%s\n", s.LastIPv6)
			}
			return tw.Flush()
		},
	}
}
