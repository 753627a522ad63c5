package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

func newAvailabilityCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "availability SLUG",
		Short: "Ask whether a network name is free",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			ok, err := c.Availability(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if ok {
				fmt.Fprintf(g.out, "%s is available.\n", args[0])
			} else {
				fmt.Fprintf(g.out, "%s is not available (taken or reserved).\n", args[0])
			}
			return nil
		},
	}
}

func newRegisterCmd(g *globals) *cobra.Command {
	var slug, region, displayName string
	cmd := &cobra.Command{
		Use:   "register --slug S --region R [--display-name N]",
		Short: "Register a network and bind this daemon to it",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			n, err := c.RegisterNetwork(cmd.Context(), slug, displayName, region)
			if n.ID == "" {
				return err
			}
			fmt.Fprintf(g.out, "Registered network %s.\nslug    %s\nregion  %s\nstate   %s\nThe next token is network-scoped.\n",
				n.ID, n.Slug, n.Region, n.ProvisioningState)
			return err // set when the state could not be saved
		},
	}
	f := cmd.Flags()
	f.StringVar(&slug, "slug", "", "the network's name: 3-32 of a-z, 0-9 and '-'")
	f.StringVar(&region, "region", "", "the region to serve the network from")
	f.StringVar(&displayName, "display-name", "", "a name for people (optional)")
	_ = cmd.MarkFlagRequired("slug")
	_ = cmd.MarkFlagRequired("region")
	return cmd
}

func newTeardownCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "teardown",
		Short: "Leave the network (best-effort) and wipe the local identity",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			before := c.Status()
			if err := c.Teardown(cmd.Context()); err != nil {
				return err
			}
			if !before.Enrolled() {
				fmt.Fprintln(g.out, "Nothing to tear down: not enrolled.")
				return nil
			}
			fmt.Fprintf(g.out, "Local identity wiped (%s removed). Enroll again to use the cloud.\n", before.StatePath)
			return nil
		},
	}
}
