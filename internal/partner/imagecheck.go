package partner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"
)

// ImageStatus is what a check of an image URL found.
type ImageStatus string

const (
	ImageReachable   ImageStatus = "reachable"
	ImageUnreachable ImageStatus = "unreachable"
	ImageNotAnImage  ImageStatus = "not_image"
)

// ImageCheck is the answer of ImageChecker.Check.
type ImageCheck struct {
	Status      ImageStatus
	HTTPStatus  int
	ContentType string
	Message     string
}

// ImageChecker fetches a brand image URL the way Klarna will, to tell the
// admin before saving whether it resolves to an image. It never connects
// to a loopback, private, link-local or otherwise non-public address
// (after DNS, and on every redirect), except the hosts in Allow (host:port,
// the simulator's own host in dev, which serves demo images).
type ImageChecker struct {
	Allow   []string
	Timeout time.Duration // default 3 s
	// MaxRedirects followed (default 3).
	MaxRedirects int
	// resolve is the DNS lookup (tests); default net.DefaultResolver.
	resolve func(ctx context.Context, host string) ([]netip.Addr, error)
}

var errNotPublic = errors.New("the address is not a public internet address")

func publicAddr(a netip.Addr) bool {
	a = a.Unmap()
	return a.IsValid() && a.IsGlobalUnicast() && !a.IsPrivate() && !a.IsLoopback() && !a.IsLinkLocalUnicast() &&
		!netip.MustParsePrefix("100.64.0.0/10").Contains(a) && !netip.MustParsePrefix("fc00::/7").Contains(a)
}

func (ic *ImageChecker) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	d := &net.Dialer{Timeout: ic.timeout()}
	for _, a := range ic.Allow {
		if strings.EqualFold(a, addr) {
			return d.DialContext(ctx, network, addr)
		}
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	resolve := ic.resolve
	if resolve == nil {
		resolve = func(ctx context.Context, host string) ([]netip.Addr, error) {
			return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		}
	}
	var ips []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		ips = []netip.Addr{ip}
	} else if ips, err = resolve(ctx, host); err != nil {
		return nil, err
	}
	lastErr := errNotPublic
	for _, ip := range ips {
		if !publicAddr(ip) {
			continue
		}
		c, err := d.DialContext(ctx, network, net.JoinHostPort(ip.Unmap().String(), port))
		if err == nil {
			return c, nil
		}
		lastErr = err
	}
	return nil, lastErr
}

func (ic *ImageChecker) timeout() time.Duration {
	if ic.Timeout > 0 {
		return ic.Timeout
	}
	return 3 * time.Second
}

// Check fetches raw (GET, the first 512 bytes) and reports whether it is
// a reachable image. It fails only on a URL that is not http(s).
func (ic *ImageChecker) Check(ctx context.Context, raw string) ImageCheck {
	if !IsHTTPURL(raw) {
		return ImageCheck{Status: ImageUnreachable, Message: "This is not a web address; it must start with https:// or http://."}
	}
	max := ic.MaxRedirects
	if max == 0 {
		max = 3
	}
	client := &http.Client{
		Timeout:   ic.timeout(),
		Transport: &http.Transport{DialContext: ic.dial, Proxy: nil, TLSHandshakeTimeout: ic.timeout(), ResponseHeaderTimeout: ic.timeout()},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > max {
				return fmt.Errorf("more than %d redirects", max)
			}
			return nil
		},
	}
	defer client.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, raw, nil)
	if err != nil {
		return ImageCheck{Status: ImageUnreachable, Message: "This address cannot be fetched."}
	}
	req.Header.Set("Accept", "image/*")
	resp, err := client.Do(req)
	if err != nil {
		msg := "Nothing answered at this address within " + ic.timeout().String() + "."
		if errors.Is(err, errNotPublic) {
			msg = "This address is not on the public internet, so Klarna cannot fetch it either."
		}
		return ImageCheck{Status: ImageUnreachable, Message: msg}
	}
	defer resp.Body.Close()
	head, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	out := ImageCheck{HTTPStatus: resp.StatusCode, ContentType: resp.Header.Get("Content-Type")}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		out.Status, out.Message = ImageUnreachable, fmt.Sprintf("The address answered HTTP %d; Klarna needs the image itself.", resp.StatusCode)
		return out
	}
	sniffed := http.DetectContentType(head)
	if strings.HasPrefix(strings.ToLower(out.ContentType), "image/") || strings.HasPrefix(sniffed, "image/") {
		out.Status, out.Message = ImageReachable, "The image is reachable."
		return out
	}
	out.Status = ImageNotAnImage
	out.Message = fmt.Sprintf("The address answers, but with %s, not an image.", firstNonEmpty(out.ContentType, sniffed))
	return out
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
