package klarna_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"testing"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/apperr"
	"github.com/partnerdesk/partnerdesk/internal/klarna"
	"github.com/partnerdesk/partnerdesk/internal/klarna/klarnasim"
)

var pdf = []byte("%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n")
var png = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")

func TestDisputes_EvidenceLifecycleWon(t *testing.T) {
	e := newEnv(t)
	hooks := e.subscribe()
	ctx := context.Background()
	p := e.operationalPartner("SEK")
	id := e.openDispute(klarnasim.DisputeSpec{PartnerAccountID: p.PartnerAccountID, Reason: klarna.ReasonNotReceived, Amount: 129900, Scenario: klarnasim.ScenarioWinOnEvidence})
	hooks.waitFor(t, klarna.EventDisputeInitiated)

	d := must[*klarna.Dispute](t)(e.client.GetDispute(ctx, id))
	if d.State != klarna.DisputeInitiated || d.DisputeDetails.DisputeAmount != 129900 {
		t.Fatalf("dispute = %+v", d)
	}
	if got := d.Deadline().Sub(d.CreatedAt.Time); got != 21*24*time.Hour {
		t.Fatalf("deadline window = %s, want 21 days", got)
	}
	up := must[*klarna.UploadAttachmentResponse](t)(e.client.UploadAttachment(ctx, id, "proof-of-delivery.pdf", pdf))
	file := must[*klarna.File](t)(e.client.DownloadAttachment(ctx, id, up.PaymentDisputeAttachmentID))
	if !bytes.Equal(file.Data, pdf) || file.ContentType != "application/pdf" || file.Filename != "proof-of-delivery.pdf" {
		t.Fatalf("download = %q %q %d bytes", file.ContentType, file.Filename, len(file.Data))
	}
	_, err := e.client.DownloadAttachment(ctx, id, id+":attachment:99")
	wantCode(t, err, apperr.NotFound)

	refund := int64(200000)
	_, err = e.client.Represent(ctx, id, klarna.RepresentRequest{Attachments: []klarna.AttachmentRef{{PaymentDisputeAttachmentID: up.PaymentDisputeAttachmentID}}, PartnerProposedRefundAmount: &refund})
	wantCode(t, err, apperr.Invalid)
	_, err = e.client.Represent(ctx, id, klarna.RepresentRequest{})
	wantCode(t, err, apperr.Invalid)

	rep := must[*klarna.RepresentResponse](t)(e.client.Represent(ctx, id, klarna.RepresentRequest{
		Attachments: []klarna.AttachmentRef{{PaymentDisputeAttachmentID: up.PaymentDisputeAttachmentID, Description: "POD"}}, AdditionalInformation: "Delivered on 5 Aug."}))
	if rep.State != klarna.DisputeRepresentment {
		t.Fatal(rep.State)
	}
	hooks.waitFor(t, klarna.EventDisputeRepresentment)
	d = must[*klarna.Dispute](t)(e.client.GetDispute(ctx, id))
	if d.State != klarna.DisputeRepresentment || d.PreviousState != klarna.DisputeInitiated || d.Representment.State != klarna.EvidenceReceived ||
		d.StateContext.PartnerEvidence == nil || d.StateContext.PartnerEvidence.Attachments[0].URL == "" {
		t.Fatalf("after represent = %+v", d)
	}
	e.sim.Advance(48 * time.Hour)
	ev := hooks.waitFor(t, klarna.EventDisputeClosed)
	var pl klarna.DisputeEventPayload
	if err := ev.DecodePayload(&pl); err != nil || pl.DisputeOutcome != klarna.OutcomeWon {
		t.Fatalf("closed payload = %+v %v", pl, err)
	}
}

func TestDisputes_AttachmentRules(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	id := e.openDispute(klarnasim.DisputeSpec{PartnerAccountID: e.operationalPartner("SEK").PartnerAccountID})
	raw := func(filename string, content []byte) int {
		var b bytes.Buffer
		mw := multipart.NewWriter(&b)
		fw, err := mw.CreateFormFile("file", filename)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write(content); err != nil {
			t.Fatal(err)
		}
		if err := mw.WriteField("filename", filename); err != nil {
			t.Fatal(err)
		}
		if err := mw.Close(); err != nil {
			t.Fatal(err)
		}
		req, _ := http.NewRequest("POST", e.srv.URL+klarna.Routes[klarna.OpUploadAttachment].Expand(id), &b)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Authorization", "Basic "+e.key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode
	}
	cases := []struct {
		name     string
		filename string
		content  []byte
		want     int
	}{
		{"OK_PDF", "a.pdf", pdf, 201},
		{"OK_PNG", "photo.png", png, 201},
		{"OK_JPEG", "photo.JPG", []byte{0xFF, 0xD8, 0xFF, 0xE0, 0, 0}, 201},
		{"OK_DOCX", "letter.docx", []byte("PK\x03\x04rest"), 201},
		{"ErrExtensionDoesNotMatchContent", "a.png", pdf, 400},
		{"ErrUnsupportedType", "notes.txt", []byte("hello"), 400},
		{"ErrEmptyName", ".pdf", pdf, 400},
		{"ErrTooLarge", "big.pdf", append(append([]byte{}, pdf...), make([]byte, 7<<20)...), 400},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := raw(c.filename, c.content); got != c.want {
				t.Fatalf("status %d, want %d", got, c.want)
			}
		})
	}
	t.Run("ErrClientRefusesUnsupportedTypeBeforeSending", func(t *testing.T) {
		if _, err := e.client.UploadAttachment(ctx, id, "x.gif", []byte("GIF89a")); err == nil {
			t.Fatal("want error")
		}
	})
}

// TestDisputes_ActionsPerState walks every state with every action.
func TestDisputes_ActionsPerState(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	partner := e.operationalPartner("SEK").PartnerAccountID
	type action struct {
		name string
		do   func(id, attachment string) error
	}
	actions := []action{
		{"get", func(id, _ string) error { _, err := e.client.GetDispute(ctx, id); return err }},
		{"upload", func(id, _ string) error { _, err := e.client.UploadAttachment(ctx, id, "x.pdf", pdf); return err }},
		{"represent", func(id, att string) error {
			_, err := e.client.Represent(ctx, id, klarna.RepresentRequest{Attachments: []klarna.AttachmentRef{{PaymentDisputeAttachmentID: att}}})
			return err
		}},
		{"accept_loss", func(id, _ string) error { _, err := e.client.AcceptLoss(ctx, id); return err }},
		{"appeal", func(id, _ string) error {
			_, err := e.client.Appeal(ctx, id, klarna.AppealRequest{AdditionalInformation: "Please review again."})
			return err
		}},
	}
	allowed := map[klarna.DisputeState]map[string]bool{
		klarna.DisputeInitiated:      {"get": true, "upload": true, "represent": true, "accept_loss": true},
		klarna.DisputeRepresentment:  {"get": true},
		klarna.DisputePreArbitration: {"get": true, "upload": true, "accept_loss": true, "appeal": true},
		klarna.DisputeArbitration:    {"get": true},
		klarna.DisputeClosed:         {"get": true},
	}
	for state, ok := range allowed {
		for _, a := range actions {
			name := "Err409"
			if ok[a.name] {
				name = "OK"
			}
			t.Run(fmt.Sprintf("%s/%s/%s", state, a.name, name), func(t *testing.T) {
				id := e.openDispute(klarnasim.DisputeSpec{PartnerAccountID: partner, State: string(state)})
				att := id + ":attachment:1"
				if state == klarna.DisputeInitiated {
					att = must[*klarna.UploadAttachmentResponse](t)(e.client.UploadAttachment(ctx, id, "pod.pdf", pdf)).PaymentDisputeAttachmentID
				}
				err := a.do(id, att)
				if ok[a.name] {
					if err != nil {
						t.Fatalf("%s in %s: %v", a.name, state, err)
					}
					return
				}
				wantCode(t, err, apperr.Conflict)
				if klarna.HTTPStatusOf(err) != 409 {
					t.Fatalf("status %d", klarna.HTTPStatusOf(err))
				}
			})
		}
	}
}

func TestDisputes_Deadlines(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	partner := e.operationalPartner("SEK").PartnerAccountID
	windows := map[string]time.Duration{
		klarna.ReasonPurchaseUnauthorized: 7 * 24 * time.Hour,
		klarna.ReasonPurchaseHighRisk:     96 * time.Hour,
		klarna.ReasonRefundNotProcessed:   21 * 24 * time.Hour,
	}
	for reason, window := range windows {
		t.Run("MissedDeadlineClosesLost/"+reason, func(t *testing.T) {
			id := e.openDispute(klarnasim.DisputeSpec{PartnerAccountID: partner, Reason: reason})
			d := must[*klarna.Dispute](t)(e.client.GetDispute(ctx, id))
			if got := d.Deadline().Sub(d.CreatedAt.Time); got != window {
				t.Fatalf("window %s, want %s", got, window)
			}
			e.sim.Advance(window - time.Minute)
			if d := must[*klarna.Dispute](t)(e.client.GetDispute(ctx, id)); d.State != klarna.DisputeInitiated {
				t.Fatalf("closed before the deadline: %s", d.State)
			}
			e.sim.Advance(2 * time.Minute)
			d = must[*klarna.Dispute](t)(e.client.GetDispute(ctx, id))
			if d.State != klarna.DisputeClosed || d.StateContext.DisputeOutcome != klarna.OutcomeLost || d.Representment.State != klarna.EvidenceRequestExpired {
				t.Fatalf("after deadline: %+v %+v", d.StateContext, d.Representment)
			}
		})
	}
	t.Run("AppealWindowOf10DaysExpiresLost", func(t *testing.T) {
		id := e.openDispute(klarnasim.DisputeSpec{PartnerAccountID: partner, State: "PRE_ARBITRATION"})
		d := must[*klarna.Dispute](t)(e.client.GetDispute(ctx, id))
		if got := d.Deadline().Sub(d.UpdatedAt.Time); got != 10*24*time.Hour {
			t.Fatalf("appeal window %s", got)
		}
		e.sim.Advance(10*24*time.Hour + time.Second)
		if d := must[*klarna.Dispute](t)(e.client.GetDispute(ctx, id)); d.State != klarna.DisputeClosed || d.StateContext.DisputeOutcome != klarna.OutcomeLost {
			t.Fatalf("after appeal window: %s", d.State)
		}
	})
}

func TestDisputes_ScenarioFlags(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	partner := e.operationalPartner("SEK").PartnerAccountID
	represent := func(t *testing.T, id string) {
		att := must[*klarna.UploadAttachmentResponse](t)(e.client.UploadAttachment(ctx, id, "pod.pdf", pdf))
		must[*klarna.RepresentResponse](t)(e.client.Represent(ctx, id, klarna.RepresentRequest{Attachments: []klarna.AttachmentRef{{PaymentDisputeAttachmentID: att.PaymentDisputeAttachmentID}}}))
	}
	state := func(id string) (klarna.DisputeState, string) {
		d := must[*klarna.Dispute](t)(e.client.GetDispute(ctx, id))
		out := ""
		if d.StateContext != nil {
			out = d.StateContext.DisputeOutcome
		}
		return d.State, out
	}
	t.Run("WinOnEvidence", func(t *testing.T) {
		id := e.openDispute(klarnasim.DisputeSpec{PartnerAccountID: partner, CustomerEmail: "customer+us+dispute_win_on_evidence@klarna.com"})
		represent(t, id)
		e.sim.Advance(48 * time.Hour)
		if s, o := state(id); s != klarna.DisputeClosed || o != klarna.OutcomeWon {
			t.Fatal(s, o)
		}
	})
	t.Run("LoseOnExpiry", func(t *testing.T) {
		id := e.openDispute(klarnasim.DisputeSpec{PartnerAccountID: partner, Scenario: klarnasim.ScenarioLoseOnExpiry})
		e.sim.Advance(22 * 24 * time.Hour)
		if s, o := state(id); s != klarna.DisputeClosed || o != klarna.OutcomeLost {
			t.Fatal(s, o)
		}
	})
	t.Run("PreArbAcceptLoss", func(t *testing.T) {
		id := e.openDispute(klarnasim.DisputeSpec{PartnerAccountID: partner, Scenario: klarnasim.ScenarioPreArbAcceptLoss})
		represent(t, id)
		e.sim.Advance(48 * time.Hour)
		if s, _ := state(id); s != klarna.DisputePreArbitration {
			t.Fatal(s)
		}
		if r := must[*klarna.AcceptLossResponse](t)(e.client.AcceptLoss(ctx, id)); r.State != klarna.DisputeClosed {
			t.Fatal(r.State)
		}
	})
	t.Run("PreArbWindowExpired", func(t *testing.T) {
		id := e.openDispute(klarnasim.DisputeSpec{PartnerAccountID: partner, Scenario: klarnasim.ScenarioPreArbWindowExpired})
		represent(t, id)
		e.sim.Advance(48 * time.Hour)
		e.sim.Advance(10*24*time.Hour + time.Minute)
		if s, o := state(id); s != klarna.DisputeClosed || o != klarna.OutcomeLost {
			t.Fatal(s, o)
		}
	})
	t.Run("PreArbLoseAfterArbitration", func(t *testing.T) {
		id := e.openDispute(klarnasim.DisputeSpec{PartnerAccountID: partner, Scenario: klarnasim.ScenarioPreArbLoseAfterArbitration})
		represent(t, id)
		e.sim.Advance(48 * time.Hour)
		att := must[*klarna.UploadAttachmentResponse](t)(e.client.UploadAttachment(ctx, id, "receipt.png", png))
		ap := must[*klarna.AppealResponse](t)(e.client.Appeal(ctx, id, klarna.AppealRequest{AdditionalInformation: "Signed receipt attached.", Attachments: []klarna.AttachmentRef{{PaymentDisputeAttachmentID: att.PaymentDisputeAttachmentID}}}))
		if ap.State != klarna.DisputeArbitration {
			t.Fatal(ap.State)
		}
		e.sim.Advance(5 * 24 * time.Hour)
		if s, o := state(id); s != klarna.DisputeClosed || o != klarna.OutcomeLost {
			t.Fatal(s, o)
		}
	})
}

func TestDisputes_ListFiltersAndCursorPaging(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	a := e.operationalPartner("SEK").PartnerAccountID
	b := e.operationalPartner("EUR").PartnerAccountID
	// Created within the last two days, so no evidence deadline has passed.
	base := e.sim.Clock().Now().Add(-48 * time.Hour).Truncate(time.Hour)
	for i := range 45 {
		e.openDispute(klarnasim.DisputeSpec{PartnerAccountID: a, CreatedAt: base.Add(time.Duration(i) * time.Hour), Silent: true})
	}
	for i := range 5 {
		e.openDispute(klarnasim.DisputeSpec{PartnerAccountID: b, CreatedAt: base.Add(time.Duration(i) * time.Minute), State: "CLOSED", Silent: true})
	}

	seen := map[string]bool{}
	var prev time.Time
	params := klarna.ListDisputesParams{PartnerAccountID: a, Size: 10}
	pages := 0
	for {
		page := must[*klarna.DisputeList](t)(e.client.ListDisputes(ctx, params))
		pages++
		if page.Pagination.Total == nil || *page.Pagination.Total != 45 {
			t.Fatalf("total = %v", page.Pagination.Total)
		}
		for _, d := range page.Disputes {
			if seen[d.PaymentDisputeID] {
				t.Fatalf("dispute %s repeated", d.PaymentDisputeID)
			}
			seen[d.PaymentDisputeID] = true
			if d.PartnerAccountID != a {
				t.Fatalf("another partner's dispute leaked")
			}
			if !prev.IsZero() && d.CreatedAt.After(prev) {
				t.Fatal("not newest first")
			}
			prev = d.CreatedAt.Time
		}
		if page.Pagination.LastItem == nil {
			break
		}
		if page.Pagination.Links == nil || page.Pagination.Links.Next == nil {
			t.Fatal("next link missing")
		}
		params.StartingAfter = *page.Pagination.LastItem
	}
	if len(seen) != 45 || pages != 5 {
		t.Fatalf("saw %d disputes on %d pages", len(seen), pages)
	}

	closed := must[*klarna.DisputeList](t)(e.client.ListDisputes(ctx, klarna.ListDisputesParams{States: []klarna.DisputeState{klarna.DisputeClosed}, SortBy: []string{"closed_at"}}))
	if len(closed.Disputes) != 5 {
		t.Fatalf("closed = %d", len(closed.Disputes))
	}
	window := must[*klarna.DisputeList](t)(e.client.ListDisputes(ctx, klarna.ListDisputesParams{PartnerAccountID: a, CreatedAtStart: base, CreatedAtEnd: base.Add(3 * time.Hour), SortBy: []string{"created_at"}}))
	if len(window.Disputes) != 3 || !window.Disputes[0].CreatedAt.Equal(base) {
		t.Fatalf("window = %d", len(window.Disputes))
	}
	one := window.Disputes[1]
	byOrder := must[*klarna.DisputeList](t)(e.client.ListDisputes(ctx, klarna.ListDisputesParams{OrderIDs: []string{one.OrderID, "unknown-order"}}))
	if len(byOrder.Disputes) != 1 || byOrder.Disputes[0].PaymentDisputeID != one.PaymentDisputeID {
		t.Fatalf("order filter = %d", len(byOrder.Disputes))
	}
	byTx := must[*klarna.DisputeList](t)(e.client.ListDisputes(ctx, klarna.ListDisputesParams{PaymentTransactionIDs: []string{one.PaymentTransactionID}, PartnerAccountID: b}))
	if len(byTx.Disputes) != 0 {
		t.Fatal("transaction filter ignored the partner scope")
	}
	none := must[*klarna.DisputeList](t)(e.client.ListDisputes(ctx, klarna.ListDisputesParams{PurchaseReferences: []string{"NO-SUCH-ORDER"}}))
	if len(none.Disputes) != 0 || none.Pagination.LastItem != nil {
		t.Fatal("unknown purchase reference matched")
	}
	_, err := e.client.ListDisputes(ctx, klarna.ListDisputesParams{Size: 1000})
	wantCode(t, err, apperr.Invalid)
	_, err = e.client.ListDisputes(ctx, klarna.ListDisputesParams{StartingAfter: "garbage"})
	wantCode(t, err, apperr.Invalid)
}

func TestDisputes_DeadlineExtensionWebhook(t *testing.T) {
	e := newEnv(t)
	hooks := e.subscribe()
	id := e.openDispute(klarnasim.DisputeSpec{PartnerAccountID: e.operationalPartner("SEK").PartnerAccountID})
	control(t, e, "POST", "/_sim/disputes/"+id+"/extend-deadline", map[string]any{"hours": 168})
	ev := hooks.waitFor(t, klarna.EventDisputeDeadlineExtended)
	var p klarna.DisputeEventPayload
	_ = ev.DecodePayload(&p)
	if p.UpdatedFields["evidence_response_deadline_at"] == nil || p.PreviousFields["evidence_response_deadline_at"] == nil {
		t.Fatalf("payload = %+v", p)
	}
}
