package webhook

import (
	"os"
	"strings"
	"testing"
)

// The UI shows "no handler" instead of "processed" by matching this note
// exactly (ui/src/features/webhooks/api/webhooks.ts, NO_HANDLER_NOTE).
func TestNoHandlerNoteMatchesTheUI(t *testing.T) {
	src, err := os.ReadFile("../../ui/src/features/webhooks/api/webhooks.ts")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(src), "NO_HANDLER_NOTE = '"+NoteNoHandler+"'") {
		t.Fatalf("ui webhooks.ts does not define NO_HANDLER_NOTE as %q", NoteNoHandler)
	}
}
