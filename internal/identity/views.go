package identity

import (
	"time"

	"github.com/google/uuid"
)

// SavedView is a user's named filter set of a list (the list's query
// string without the leading '?'). A user reads and changes only their own.
type SavedView struct {
	ID        uuid.UUID `json:"id"`
	List      string    `json:"list"`
	Name      string    `json:"name"`
	Query     string    `json:"query"`
	CreatedAt time.Time `json:"created_at"`
}
