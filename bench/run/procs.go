package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// proc is a child process in its own process group, stopped at exit.
type proc struct {
	name string
	cmd  *exec.Cmd
	addr string
	done chan struct{}
}

// stop ends the process (SIGTERM, SIGKILL after 15 s) and waits for it.
func (p *proc) stop() {
	if p == nil || p.cmd.Process == nil {
		return
	}
	select {
	case <-p.done:
		return
	default:
	}
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(15 * time.Second):
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
	}
}

// freeAddr is a loopback address with a port nobody listens on now.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// start runs args (with {addr} replaced by addr) logging to logs/<name>.log
// and waits until GET ready on addr answers 200.
func (e *env) start(ctx context.Context, name, addr, ready string, extraEnv []string, args ...string) (*proc, error) {
	logf, err := os.OpenFile(filepath.Join(e.logDir, name+".log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	for i, a := range args {
		args[i] = strings.ReplaceAll(a, "{addr}", addr)
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = append(os.Environ(), extraEnv...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, err
	}
	p := &proc{name: name, cmd: cmd, addr: addr, done: make(chan struct{})}
	go func() { _ = cmd.Wait(); logf.Close(); close(p.done) }()
	e.procs = append(e.procs, p)
	deadline := time.Now().Add(3 * time.Minute) // serve migrates a fresh database first
	for {
		resp, err := http.Get("http://" + addr + ready)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p, nil
			}
		}
		select {
		case <-p.done:
			return nil, fmt.Errorf("%s exited at start; see %s", name, logf.Name())
		case <-ctx.Done():
			p.stop()
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			p.stop()
			return nil, fmt.Errorf("%s not ready; see %s", name, logf.Name())
		}
	}
}

// serveEnv configures serve: the bench database, the development IdP (the
// acquirer personas' groups mapped to their roles), one webhook signing key,
// quiet logs.
func (e *env) serveEnv() []string {
	return []string{
		"PARTNERDESK_HTTP_ADDR=" + e.serveAddr,
		"PARTNERDESK_DATABASE_URL=" + e.dsn,
		"PARTNERDESK_DEMO=true",
		"PARTNERDESK_OIDC_ISSUER=http://" + e.idp,
		"PARTNERDESK_OIDC_CLIENT_ID=partnerdesk-dev",
		"PARTNERDESK_OIDC_CLIENT_SECRET=partnerdesk-dev-secret",
		"PARTNERDESK_OIDC_GROUP_ROLES=pd-acquirer-admins=acquirer:acquirer-admin,pd-acquirer-support=acquirer:acquirer-support,pd-acquirer-finance=acquirer:acquirer-finance,pd-auditors=acquirer:auditor",
		"PARTNERDESK_LOG_LEVEL=warn",
		"PARTNERDESK_KLARNA_WEBHOOK_SIGNING_KEYS=" + signKeyID + "=" + signKey,
	}
}

// serve starts a fresh `partnerdesk serve` on the bench database, always on
// the same address (so the login's redirect address stays valid).
func (e *env) serve(ctx context.Context, extra ...string) (*proc, error) {
	return e.start(ctx, "serve", e.serveAddr, "/readyz", append(e.serveEnv(), extra...), e.bin, "serve")
}

// cli runs a partnerdesk subcommand on the bench database.
func (e *env) cli(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, e.bin, args...)
	cmd.Env = append(os.Environ(), "PARTNERDESK_DATABASE_URL="+e.dsn)
	var out strings.Builder
	cmd.Stdout = &out
	cmd.Stderr = os.Stderr
	err := cmd.Run()
	return strings.TrimSpace(out.String()), err
}

// login signs persona in the way a browser does (serve → development IdP
// with a login hint → callback) and returns the session cookie
// ("name=value") for the load generator.
func (e *env) login(ctx context.Context, persona string) (string, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return "", err
	}
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	base := "http://" + e.serveAddr
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/auth/login?return_to=/&login_hint="+url.QueryEscape(persona), nil)
	if err != nil {
		return "", err
	}
	resp, err := c.Do(req)
	if err != nil {
		return "", fmt.Errorf("login %s: %w", persona, err)
	}
	resp.Body.Close()
	u, _ := url.Parse(base)
	for _, ck := range jar.Cookies(u) {
		if ck.Name == "pd_session" {
			return ck.Name + "=" + ck.Value, nil
		}
	}
	return "", fmt.Errorf("login %s ended at %s (HTTP %d) without a session cookie", persona, resp.Request.URL, resp.StatusCode)
}

// vmHWM is a process's peak resident set (VmHWM) in MB.
func vmHWM(pid int) (float64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024, err
		}
	}
	return 0, errors.New("no VmHWM")
}
