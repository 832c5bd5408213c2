package httpapi_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/partnerdesk/partnerdesk/internal/app/apptest"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apigen"
	"github.com/partnerdesk/partnerdesk/internal/httpapi/apitest"
	"github.com/partnerdesk/partnerdesk/internal/klarna/klarnasim"
)

var (
	pdfFile = []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
	pngFile = append([]byte("\x89PNG\r\n\x1a\n"), []byte("\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00")...)
)

func docxFile(t *testing.T) []byte {
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	w, _ := z.Create("word/document.xml")
	_, _ = w.Write([]byte("<w:document/>"))
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func dpath(id, rest string) string { return "/api/v1/disputes/" + url.PathEscape(id) + rest }

func uploadEvidence(t *testing.T, c *apitest.Client, id, name string, data []byte) *apitest.Response {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	w, _ := mw.CreateFormFile("file", name)
	_, _ = w.Write(data)
	_ = mw.Close()
	return c.Send("POST", dpath(id, "/draft/attachments"), mw.FormDataContentType(), b.Bytes())
}

// interruptedUpload sends the first half of an upload and then fails the
// request body, as a dropped connection does.
func interruptedUpload(t *testing.T, c *apitest.Client, id, name string, data []byte) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	w, _ := mw.CreateFormFile("file", name)
	_, _ = w.Write(data)
	_ = mw.Close()
	half := b.Bytes()[:b.Len()/2]
	req, err := http.NewRequest("POST", c.Base+dpath(id, "/draft/attachments"), io.MultiReader(bytes.NewReader(half), failingReader{}))
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = int64(b.Len())
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("X-CSRF-Token", c.CSRF)
	if res, err := c.HTTP.Do(req); err == nil {
		_ = res.Body.Close()
		t.Fatalf("the interrupted upload was answered %d", res.StatusCode)
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

// openDispute opens an Aurora dispute at the simulator in state (""
// INITIATED) and waits until the mirror has it.
func openDispute(t *testing.T, a *apptest.App, sim *klarnasim.Sim, state string) apigen.DisputeDetail {
	t.Helper()
	acct, _ := sim.PartnerAccountID("aurora")
	ids, err := sim.OpenDisputes(klarnasim.DisputeSpec{PartnerAccountID: acct, State: state, Amount: 12900})
	if err != nil {
		t.Fatal(err)
	}
	want := state
	if want == "" {
		want = "INITIATED"
	}
	support := a.Login("acquirer-support")
	var d apigen.DisputeDetail
	waitFor(t, "dispute "+ids[0]+" in "+want, 20*time.Second, func() (bool, string) {
		r := support.Get(dpath(ids[0], ""))
		if r.Status != 200 {
			return false, string(r.Body)
		}
		_ = json.Unmarshal(r.Body, &d)
		return d.State == want, d.State
	})
	return d
}

func disputeActionsOf(t *testing.T, c *apitest.Client, id string) []apigen.DisputeAction {
	t.Helper()
	r := c.Get(dpath(id, "/actions"))
	var out []apigen.DisputeAction
	if r.Status != 200 || json.Unmarshal(r.Body, &out) != nil {
		t.Fatalf("actions: %d %s", r.Status, r.Body)
	}
	return out
}

// waitAction waits for the dispute's last action to finish and returns it.
func waitAction(t *testing.T, c *apitest.Client, id string) apigen.DisputeAction {
	t.Helper()
	var last apigen.DisputeAction
	waitFor(t, "the answer sent to Klarna", 30*time.Second, func() (bool, string) {
		acts := disputeActionsOf(t, c, id)
		if len(acts) == 0 {
			return false, "none"
		}
		last = acts[0]
		return last.Status != "pending", string(last.Status)
	})
	return last
}

func waitState(t *testing.T, c *apitest.Client, id, state string) apigen.DisputeDetail {
	t.Helper()
	var d apigen.DisputeDetail
	waitFor(t, id+" in "+state, 20*time.Second, func() (bool, string) {
		d = disputeDetail(t, c, id)
		return d.State == state, d.State
	})
	return d
}

// A handler answers with two files, a checklist and information; an upload
// cut off half-way keeps nothing, and the same file posted again is no
// second attachment; the dispute moves to REPRESENTMENT and the timeline
// says who sent what.
func TestDisputeRepresentWithTwoFiles(t *testing.T) {
	t.Parallel()
	a, sim := disputesApp(t, 0)
	d := openDispute(t, a, sim, "")
	h := a.Login("merchant-disputes")
	var dr apigen.DisputeDraft
	r := h.Get(dpath(d.Id, "/draft"))
	if r.Status != 200 || json.Unmarshal(r.Body, &dr) != nil || dr.Version != 0 || dr.Kind != "represent" || len(dr.Guide.Items) == 0 {
		t.Fatalf("new draft: %d %s", r.Status, r.Body)
	}
	body := `{"additional_information":"Delivered on 3 Nov, tracking 00340434","checklist":["` + dr.Guide.Items[0].Id + `"],"version":0}`
	if r := h.Send("PUT", dpath(d.Id, "/draft"), "application/json", []byte(body)); r.Status != 200 || json.Unmarshal(r.Body, &dr) != nil || dr.Version != 1 {
		t.Fatalf("save draft: %d %s", r.Status, r.Body)
	}
	// A second save from the version read before is stale.
	if r := a.Login("merchant-admin").Send("PUT", dpath(d.Id, "/draft"), "application/json", []byte(body)); r.Status != 409 {
		t.Fatalf("stale save: %d %s", r.Status, r.Body)
	}
	if r := uploadEvidence(t, h, d.Id, "receipt.pdf", pdfFile); r.Status != 201 {
		t.Fatalf("upload pdf: %d %s", r.Status, r.Body)
	}
	// The connection drops half-way through the PNG's upload: nothing of it is kept.
	interruptedUpload(t, h, d.Id, "parcel.png", pngFile)
	if r := uploadEvidence(t, h, d.Id, "parcel.png", pngFile); r.Status != 201 {
		t.Fatalf("upload png: %d %s", r.Status, r.Body)
	}
	// The upload retried after a network failure: the same file, no duplicate.
	if r := uploadEvidence(t, h, d.Id, "receipt.pdf", pdfFile); r.Status != 200 {
		t.Fatalf("same file again: %d %s", r.Status, r.Body)
	}
	_ = json.Unmarshal(h.Get(dpath(d.Id, "/draft")).Body, &dr)
	if len(dr.Attachments) != 2 || len(dr.Checklist) != 1 || dr.UpdatedBy == nil {
		t.Fatalf("draft after uploads: %+v", dr)
	}
	if r := h.Get(dpath(d.Id, "/draft/attachments/"+dr.Attachments[0].Id.String())); r.Status != 200 || !bytes.Equal(r.Body, pdfFile) {
		t.Fatalf("download our copy: %d", r.Status)
	}
	r = h.Send("POST", dpath(d.Id, "/represent"), "", nil)
	if r.Status != 202 {
		t.Fatalf("represent: %d %s", r.Status, r.Body)
	}
	if last := waitAction(t, h, d.Id); last.Status != "applied" || last.Attachments != 2 {
		t.Fatalf("represent action: %+v", last)
	}
	got := waitState(t, h, d.Id, "REPRESENTMENT")
	found := false
	for _, e := range got.Timeline {
		found = found || (e.Kind == "action" && e.Summary == "Evidence submitted with 2 files" && e.Actor != "")
	}
	if !found {
		t.Fatalf("timeline: %+v", got.Timeline)
	}
	// Nothing more to answer now.
	if r := h.Send("POST", dpath(d.Id, "/accept-loss"), "", nil); r.Status != 409 {
		t.Fatalf("accept loss in REPRESENTMENT: %d %s", r.Status, r.Body)
	}
}

// Files are checked by content: a text file named .pdf, one over 7 MB, an
// 11th file are each refused with a field error; a DOCX is accepted.
func TestDisputeUploadsRefused(t *testing.T) {
	t.Parallel()
	a, sim := disputesApp(t, 0)
	d := openDispute(t, a, sim, "")
	h := a.Login("merchant-disputes")
	fieldErr := func(r *apitest.Response, want string) {
		t.Helper()
		if r.Status != 400 || !strings.Contains(string(r.Body), `"field":"file"`) || !strings.Contains(string(r.Body), want) {
			t.Fatalf("want a file error %q, got %d %s", want, r.Status, r.Body)
		}
	}
	fieldErr(uploadEvidence(t, h, d.Id, "invoice.pdf", []byte("just text, not a PDF")), "PDF, JPEG, PNG or DOCX")
	big := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("a"), 7<<20)...)
	fieldErr(uploadEvidence(t, h, d.Id, "big.pdf", big), "7 MB")
	if r := uploadEvidence(t, h, d.Id, "letter.docx", docxFile(t)); r.Status != 201 {
		t.Fatalf("docx: %d %s", r.Status, r.Body)
	}
	for i := 1; i < 10; i++ {
		f := append(append([]byte{}, pdfFile...), byte('0'+i))
		if r := uploadEvidence(t, h, d.Id, "p.pdf", f); r.Status != 201 {
			t.Fatalf("file %d: %d %s", i+1, r.Status, r.Body)
		}
	}
	fieldErr(uploadEvidence(t, h, d.Id, "eleven.pdf", append(append([]byte{}, pdfFile...), 'x')), "at most 10")
	// Represent with a refund at or above the disputed amount and information over 5000: every field at once.
	body := `{"additional_information":"` + strings.Repeat("x", 5001) + `","partner_proposed_refund_amount":12900,"checklist":["nope"],"version":0}`
	r := h.Send("PUT", dpath(d.Id, "/draft"), "application/json", []byte(body))
	for _, f := range []string{"additional_information", "partner_proposed_refund_amount", "checklist[0]"} {
		if r.Status != 400 || !strings.Contains(string(r.Body), `"field":"`+f+`"`) {
			t.Fatalf("draft errors: want %s in %d %s", f, r.Status, r.Body)
		}
	}
}

// Every state × action against the simulator: allowed ones move the state;
// forbidden ones are refused before any call (no action recorded).
func TestDisputeActionsByState(t *testing.T) {
	t.Parallel()
	a, sim := disputesApp(t, 0)
	h := a.Login("merchant-disputes")
	allowed := map[string]map[string]string{ // state → action → state after
		"INITIATED":       {"represent": "REPRESENTMENT", "accept-loss": "CLOSED"},
		"PRE_ARBITRATION": {"appeal": "ARBITRATION", "accept-loss": "CLOSED"},
		"REPRESENTMENT":   {},
		"ARBITRATION":     {},
		"CLOSED":          {},
	}
	for state, acts := range allowed {
		simState := state
		if state == "INITIATED" {
			simState = ""
		}
		for _, action := range []string{"represent", "accept-loss", "appeal"} {
			after, ok := acts[action]
			if !ok {
				continue
			}
			d := openDispute(t, a, sim, simState)
			switch action {
			case "represent":
				if r := uploadEvidence(t, h, d.Id, "receipt.pdf", pdfFile); r.Status != 201 {
					t.Fatalf("upload: %d %s", r.Status, r.Body)
				}
			case "appeal":
				// Without the information, refused with the field.
				if r := h.Send("POST", dpath(d.Id, "/appeal"), "", nil); r.Status != 400 || !strings.Contains(string(r.Body), "additional_information") {
					t.Fatalf("appeal without information: %d %s", r.Status, r.Body)
				}
				if r := h.Send("PUT", dpath(d.Id, "/draft"), "application/json", []byte(`{"additional_information":"The receipt was signed.","checklist":[],"version":0}`)); r.Status != 200 {
					t.Fatalf("appeal draft: %d %s", r.Status, r.Body)
				}
			}
			if r := h.Send("POST", dpath(d.Id, "/"+action), "", nil); r.Status != 202 {
				t.Fatalf("%s in %s: %d %s", action, state, r.Status, r.Body)
			}
			if last := waitAction(t, h, d.Id); last.Status != "applied" {
				t.Fatalf("%s in %s: %+v", action, state, last)
			}
			waitState(t, h, d.Id, after)
		}
		d := openDispute(t, a, sim, simState)
		for _, action := range []string{"represent", "accept-loss", "appeal"} {
			if _, ok := acts[action]; ok {
				continue
			}
			if r := h.Send("POST", dpath(d.Id, "/"+action), "", nil); r.Status != 409 || !strings.Contains(string(r.Body), "not possible") {
				t.Fatalf("%s in %s: want 409, got %d %s", action, state, r.Status, r.Body)
			}
		}
		if acts := disputeActionsOf(t, h, d.Id); len(acts) != 0 {
			t.Fatalf("refused actions were recorded: %+v", acts)
		}
	}
}

// The dispute moved at Klarna behind our back (its webhook lost): Klarna
// answers 409, the action fails with Klarna's message and the dispute is
// re-read.
func TestDisputeActionRefusedByKlarna(t *testing.T) {
	t.Parallel()
	a, sim := disputesApp(t, 0)
	d := openDispute(t, a, sim, "")
	h := a.Login("merchant-disputes")
	sim.SetFaults(klarnasim.Faults{WebhookDropRate: 1})
	moved, err := sim.AdvanceDispute(d.Id)
	if err != nil {
		t.Fatal(err)
	}
	if r := h.Send("POST", dpath(d.Id, "/accept-loss"), "", nil); r.Status != 202 {
		t.Fatalf("accept loss: %d %s", r.Status, r.Body)
	}
	last := waitAction(t, h, d.Id)
	if last.Status != "failed" || last.Error == "" {
		t.Fatalf("action: %+v", last)
	}
	waitState(t, h, d.Id, string(moved))
}

// One minute before the deadline (simulator clock) an answer is accepted;
// one minute after, it is refused before any call, and Klarna then closes
// the dispute as lost.
func TestDisputeDeadline(t *testing.T) {
	t.Parallel()
	a, sim := disputesApp(t, 0)
	early := openDispute(t, a, sim, "")
	late := openDispute(t, a, sim, "")
	h := a.Login("merchant-disputes")
	if early.DeadlineAt == nil || late.DeadlineAt == nil {
		t.Fatal("no deadline")
	}
	after := late.DeadlineAt.Add(time.Minute)
	a.Responder.SetClock(func() time.Time { return after })
	r := h.Send("POST", dpath(late.Id, "/accept-loss"), "", nil)
	if r.Status != 409 || !strings.Contains(string(r.Body), "deadline") {
		t.Fatalf("a minute after the deadline: %d %s", r.Status, r.Body)
	}
	if acts := disputeActionsOf(t, h, late.Id); len(acts) != 0 {
		t.Fatalf("a late answer was recorded: %+v", acts)
	}
	before := early.DeadlineAt.Add(-time.Minute)
	sim.Advance(before.Sub(sim.Clock().Now()))
	a.Responder.SetClock(sim.Clock().Now)
	if r := h.Send("POST", dpath(early.Id, "/accept-loss"), "", nil); r.Status != 202 {
		t.Fatalf("a minute before the deadline: %d %s", r.Status, r.Body)
	}
	if last := waitAction(t, h, early.Id); last.Status != "applied" {
		t.Fatalf("a minute before: %+v", last)
	}
	waitState(t, h, early.Id, "CLOSED")
	sim.Advance(after.Sub(sim.Clock().Now()))
	if d := waitState(t, h, late.Id, "CLOSED"); d.Outcome != "LOST" {
		t.Fatalf("late dispute: %s %s", d.State, d.Outcome)
	}
}

// Another partner's merchant gets 404 on every action route of an Aurora dispute.
func TestDisputeActionsCrossTenant(t *testing.T) {
	t.Parallel()
	a, sim := disputesApp(t, 0)
	d := openDispute(t, a, sim, "")
	h := a.Login("merchant-disputes")
	if r := uploadEvidence(t, h, d.Id, "receipt.pdf", pdfFile); r.Status != 201 {
		t.Fatalf("upload: %d %s", r.Status, r.Body)
	}
	var dr apigen.DisputeDraft
	_ = json.Unmarshal(h.Get(dpath(d.Id, "/draft")).Body, &dr)
	att := dpath(d.Id, "/draft/attachments/"+dr.Attachments[0].Id.String())
	b := a.Login("merchant-admin-b")
	for _, r := range []*apitest.Response{
		b.Get(dpath(d.Id, "/draft")),
		b.Send("PUT", dpath(d.Id, "/draft"), "application/json", []byte(`{"additional_information":"","checklist":[],"version":1}`)),
		uploadEvidence(t, b, d.Id, "x.pdf", pdfFile),
		b.Get(att),
		b.Send("DELETE", att, "", nil),
		b.Get(dpath(d.Id, "/actions")),
		b.Send("POST", dpath(d.Id, "/represent"), "", nil),
		b.Send("POST", dpath(d.Id, "/accept-loss"), "", nil),
		b.Send("POST", dpath(d.Id, "/appeal"), "", nil),
	} {
		if r.Status != 404 {
			t.Fatalf("another partner: %d %s", r.Status, r.Body)
		}
	}
	if r := h.Get(att); r.Status != 200 {
		t.Fatalf("the file is still there: %d", r.Status)
	}
}
