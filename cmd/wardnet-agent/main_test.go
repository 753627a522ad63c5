package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

// setEnv sets the variables the defaults read; "" unsets them for the test.
func setEnv(t *testing.T, kv map[string]string) {
	for _, k := range []string{"WARDNET_SERVER", "WARDNET_DDNS", "WARDNET_AGENT_STATE", "XDG_STATE_HOME", "HOME"} {
		t.Setenv(k, kv[k])
	}
}

func TestFlagDefaults(t *testing.T) {
	for _, tc := range []struct {
		name       string
		env        map[string]string
		server, st string
	}{
		{"nothing set", map[string]string{"HOME": "/home/u"},
			defaultServer, "/home/u/.local/state/wardnet-agent/state.json"},
		{"XDG_STATE_HOME", map[string]string{"HOME": "/home/u", "XDG_STATE_HOME": "/var/xdg"},
			defaultServer, "/var/xdg/wardnet-agent/state.json"},
		{"relative XDG_STATE_HOME is ignored", map[string]string{"HOME": "/home/u", "XDG_STATE_HOME": "rel/xdg"},
			defaultServer, "/home/u/.local/state/wardnet-agent/state.json"},
		{"environment", map[string]string{"HOME": "/home/u", "XDG_STATE_HOME": "/var/xdg", "WARDNET_SERVER": "https://tenants.test", "WARDNET_DDNS": "https://ddns.test", "WARDNET_AGENT_STATE": "/etc/agent.json"},
			"https://tenants.test", "/etc/agent.json"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			setEnv(t, tc.env)
			f := newRootCmd(nil, nil, nil).PersistentFlags()
			if got := f.Lookup("server").DefValue; got != tc.server {
				t.Errorf("--server default %q, want %q", got, tc.server)
			}
			if got := f.Lookup("state").DefValue; got != tc.st {
				t.Errorf("--state default %q, want %q", got, tc.st)
			}
			ddns := defaultDDNS
			if v := tc.env["WARDNET_DDNS"]; v != "" {
				ddns = v
			}
			if got := f.Lookup("ddns").DefValue; got != ddns {
				t.Errorf("--ddns default %q, want %q", got, ddns)
			}
		})
	}
}

// run executes the command line and returns its output and error.
func run(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	root := newRootCmd(strings.NewReader(stdin), &out, &errOut)
	root.SetArgs(args)
	err := root.ExecuteContext(t.Context())
	return out.String() + errOut.String(), err
}

func TestFlagsOverrideEnvironment(t *testing.T) {
	dir := t.TempDir()
	setEnv(t, map[string]string{
		"HOME":                dir,
		"WARDNET_SERVER":      "http://from-env.test",
		"WARDNET_AGENT_STATE": filepath.Join(dir, "env.json"),
	})
	out, err := run(t, "", "status")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "http://from-env.test") || !strings.Contains(out, filepath.Join(dir, "env.json")) || !strings.Contains(out, "enrolled  no") {
		t.Errorf("status with the environment:\n%s", out)
	}
	flagState := filepath.Join(dir, "flag.json")
	out, err = run(t, "", "--server", "http://from-flag.test", "--state", flagState, "status")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "http://from-flag.test") || !strings.Contains(out, flagState) {
		t.Errorf("status with flags:\n%s", out)
	}
}

func TestNoStatePath(t *testing.T) {
	setEnv(t, map[string]string{})
	if _, err := run(t, "", "status"); err == nil || !strings.Contains(err.Error(), "WARDNET_AGENT_STATE") {
		t.Errorf("status without any state path: %v", err)
	}
}

func TestUsageErrorsSendNothing(t *testing.T) {
	dir := t.TempDir()
	// An unroutable server: any request would fail differently.
	setEnv(t, map[string]string{"HOME": dir, "WARDNET_SERVER": "http://192.0.2.1:9"})
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"enroll"}, "code email"},
		{[]string{"enroll", "--code", "A", "--email", "a@b"}, "code email"},
		{[]string{"register", "--slug", "abc"}, "region"},
		{[]string{"availability"}, "accepts 1 arg"},
		{[]string{"availability", "Bad"}, "invalid slug"},
		{[]string{"register", "--slug", "-x-", "--region", "local"}, "invalid slug"},
		{[]string{"token"}, "not enrolled"},
		{[]string{"report-ip"}, "ip ip-from"},
		{[]string{"report-ip", "--ip", "203.0.114.7", "--ip-from", "http://x"}, "ip ip-from"},
		{[]string{"report-ip", "--ip", "203.0.114.7"}, "not enrolled"},
		{[]string{"acme", "set"}, "at least 1 arg"},
		{[]string{"acme", "clear"}, "not enrolled"},
		{[]string{"--ddns", "ftp://x", "status"}, "ddns: server URL"},
		{[]string{"--server", "ftp://x", "status"}, "server URL"},
	} {
		if _, err := run(t, "", tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want an error about %q", tc.args, err, tc.want)
		}
	}
}

func TestPromptCode(t *testing.T) {
	var prompt bytes.Buffer
	code, err := promptCode(strings.NewReader("  ABC234 \n"), &prompt)
	if err != nil || code != "ABC234" {
		t.Errorf("promptCode = %q, %v", code, err)
	}
	if _, err := promptCode(strings.NewReader(""), &prompt); err == nil {
		t.Error("empty input accepted")
	}
}
