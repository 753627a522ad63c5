package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
)

func newRequestCodeCmd(g *globals) *cobra.Command {
	var email string
	cmd := &cobra.Command{
		Use:   "request-code --email E",
		Short: "Ask for an enrollment code for an account email",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			code, err := c.RequestCode(cmd.Context(), email)
			if err != nil {
				return err
			}
			if code == "" {
				fmt.Fprintln(g.out, "An enrollment code was emailed; it is valid for 5 minutes. Next: wardnet-agent enroll --code CODE")
				return nil
			}
			fmt.Fprintf(g.out, "Enrollment code: %s (echoed by a development server; valid for 5 minutes)\n", code)
			return nil
		},
	}
	cmd.Flags().StringVar(&email, "email", "", "the account email")
	_ = cmd.MarkFlagRequired("email")
	return cmd
}

func newEnrollCmd(g *globals) *cobra.Command {
	var code, email string
	cmd := &cobra.Command{
		Use:   "enroll (--code C | --email E)",
		Short: "Enroll with a fresh key, binding it to the code's tenant",
		Long: `Enroll generates a new key and binds it to the tenant of an enrollment code.
With --email it first asks for a code: a development server echoes it and it is
used at once; otherwise the code is read from stdin.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			if email != "" {
				if code, err = c.RequestCode(cmd.Context(), email); err != nil {
					return err
				}
				if code == "" {
					if code, err = promptCode(g.in, g.errOut); err != nil {
						return err
					}
				} else {
					fmt.Fprintln(g.out, "Using the code echoed by the server.")
				}
			}
			tenant, err := c.Enroll(cmd.Context(), code)
			if err != nil {
				return err
			}
			st := c.Status()
			fmt.Fprintf(g.out, "Enrolled with tenant %s.\nPublic key: %s\nState: %s\nNext: wardnet-agent availability SLUG, then wardnet-agent register.\n",
				tenant, st.PublicKey, st.StatePath)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&code, "code", "", "the enrollment code")
	f.StringVar(&email, "email", "", "request a code for this account email first")
	cmd.MarkFlagsMutuallyExclusive("code", "email")
	cmd.MarkFlagsOneRequired("code", "email")
	return cmd
}

// promptCode reads a code from one line of in.
func promptCode(in io.Reader, prompt io.Writer) (string, error) {
	fmt.Fprint(prompt, "Enrollment code (sent by email): ")
	line, err := bufio.NewReader(in).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read code: %w", err)
	}
	code := strings.TrimSpace(line)
	if code == "" {
		return "", errors.New("no code entered")
	}
	return code, nil
}
